"""Exactly-once delivery records: claim before sending, complete with Slack's ts after.

A claim is a row keyed by (kind, target, key). Whoever inserts it (or takes over a
failed or stale claim by compare-and-set) sends; everyone else stands back. A claim left
behind by a crash becomes stale after `STALE_AFTER` and is retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.db import insert_for
from bot.models import Delivery, DeliveryKind, DeliveryStatus

STALE_AFTER = timedelta(minutes=5)
# A message Slack refused this many times is given up on (and stays recorded as failed).
MAX_ATTEMPTS = 5


class PostOutcome(StrEnum):
    """What asking for a post did: sent it now, redrew the one already sent, found it already
    sent (and left it), or found someone else still sending it."""

    SENT = "sent"
    UPDATED = "updated"
    ALREADY = "already"
    PENDING = "pending"


@dataclass(frozen=True)
class Claim:
    id: int
    attempts: int


def claim_delivery(
    session: Session, *, kind: DeliveryKind, target: str, key: str, now: datetime
) -> Claim | None:
    """The right to send this message now, or None if it was sent or someone else is sending it."""
    inserted = session.execute(
        insert_for(session)(Delivery)
        .values(kind=kind, target=target, key=key, status=DeliveryStatus.CLAIMED, attempts=1, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "target", "key"])
        .returning(Delivery.id)
    ).first()
    row = session.exec(
        select(Delivery)
        .where(Delivery.kind == kind, Delivery.target == target, Delivery.key == key)
        .execution_options(populate_existing=True)
    ).one()
    assert row.id is not None
    if inserted is not None:
        return Claim(row.id, 1)
    retryable = row.status == DeliveryStatus.FAILED or (
        row.status == DeliveryStatus.CLAIMED and row.claimed_at <= now - STALE_AFTER
    )
    if not retryable or row.attempts >= MAX_ATTEMPTS:
        return None
    taken = session.execute(
        update(Delivery)
        .where(
            col(Delivery.id) == row.id,
            col(Delivery.status) == row.status,
            col(Delivery.claimed_at) == row.claimed_at,
        )
        .values(status=DeliveryStatus.CLAIMED, claimed_at=now, attempts=row.attempts + 1)
    )
    return Claim(row.id, row.attempts + 1) if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def complete_delivery(
    session: Session, *, claim: Claim, channel_id: str, message_ts: str, now: datetime
) -> None:
    delivery = session.get(Delivery, claim.id)
    assert delivery is not None
    delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
    delivery.channel_id, delivery.message_ts, delivery.last_error = channel_id, message_ts, None
    session.add(delivery)
    session.flush()


def fail_delivery(session: Session, *, claim: Claim, error: str) -> None:
    delivery = session.get(Delivery, claim.id)
    assert delivery is not None
    delivery.status, delivery.last_error = DeliveryStatus.FAILED, error[:500]
    session.add(delivery)
    session.flush()


def delivered(session: Session, *, kind: DeliveryKind, target: str, key: str) -> Delivery | None:
    return session.exec(
        select(Delivery).where(
            Delivery.kind == kind,
            Delivery.target == target,
            Delivery.key == key,
            Delivery.status == DeliveryStatus.SENT,
        )
    ).first()


def sent_messages(session: Session, *, kind: DeliveryKind, key: str) -> list[tuple[str, str]]:
    """(channel, ts) of every message of `kind` for `key` that went out, wherever it went."""
    rows = session.exec(
        select(Delivery.channel_id, Delivery.message_ts).where(
            Delivery.kind == kind, Delivery.key == key, Delivery.status == DeliveryStatus.SENT
        )
    ).all()
    return [(channel, ts) for channel, ts in rows if channel and ts]
