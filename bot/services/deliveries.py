"""Exactly-once delivery records: claim before sending, complete with Slack's ts after.

Every message Turnout owes someone (scheduled posts and DMs, shift posts, the DMs a cancel,
a promotion or a removal sends) is a row keyed by (team, kind, target, key), recorded with what it
says (`payload`) before it is first tried. Whoever inserts it (or takes over a retry that is
due, or a stale claim, by compare-and-set) sends; everyone else stands back.

- A send Slack refused for a reason that can pass (5xx, 429, a timeout) is retried with
  exponential backoff and jitter (`backoff`), for as long as it is still worth sending
  (`expires_at`); a refusal retrying cannot cure (`PERMANENT_ERRORS`) fails it at once.
- A claim left behind by a crash becomes stale after `STALE_AFTER` and is retried, like a send
  whose outcome is unknown; the sender first looks in the conversation's history for a message
  stamped with the delivery's key (`metadata_key`) before posting again.
- Messages to one target about one shift go out in the order they were recorded: a delivery
  waits while an earlier one to the same target about the same shift is still owed.
- A redraw of something already shown (a shift's channel post, an App Home tab) that Slack did
  not take is owed the same way (`owe_redraw`), one row per message: every retry draws how
  things stand then, so however often it is missed it is owed once. `created_at` says since
  when; a later draw that went through settles it (`settle_redraw`), and one missed while the
  scheduler is redrawing it is done once more after (`finish_redraw`).

How long each kind is worth sending is decided by its sender (`bot.slack.delivery`, `jobs.posts`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from bot.db import insert_for, run
from bot.i18n import ENGLISH_CODE, N_
from bot.models import Delivery, DeliveryKind, DeliveryStatus, Shift, State, UTCDateTime
from bot.services.errors import NotFound
from bot.services.shifts import SHIFT_VIEW, ShiftView, shift_from_view_row
from bot.services.states import channel_language

STALE_AFTER = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
# An owed redraw is waiting for its retry, or being retried: either way a draw that went through
# since it was owed settles it (`settle_redraw`).
_OWED_STATUSES = (DeliveryStatus.RETRY, DeliveryStatus.CLAIMED)
LONGEST_WAIT = timedelta(minutes=15)
JITTER = 0.2
# Without a deadline of its own, a message is worth sending for this long after it was recorded.
DEFAULT_USEFUL_FOR = timedelta(hours=6)
# Slack errors that say the message can never be taken as it is: retrying cannot help.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "user_not_found",
        "user_disabled",
        "account_inactive",
        "cannot_dm_bot",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
        "invalid_arguments",
        "invalid_metadata_format",
        "restricted_action",
        "message_not_found",
    }
)
NO_LONGER_USEFUL = "no longer useful"


class PostOutcome(StrEnum):
    """What asking for a post did: sent it now, redrew the one already sent, found it already
    sent (and left it), found someone else still sending it, or could not send it yet (it will
    be retried)."""

    SENT = "sent"
    UPDATED = "updated"
    ALREADY = "already"
    PENDING = "pending"
    RETRYING = "retrying"


@dataclass(frozen=True)
class Claim:
    """The right to one try at a delivery, from `take`. A claim is held while the row is still
    claimed with its attempts and its claim time (`_held`); an owed redraw given up or settled
    and then owed again counts its attempts from 1 again, so the time tells its claims apart."""

    id: int
    attempts: int
    # When the delivery was first recorded: where to start looking for an earlier attempt's message.
    since: datetime
    claimed_at: datetime


def metadata_key(kind: str, target: str, key: str) -> str:
    """The key stamped into a delivery's message metadata, to find it again in history."""
    return f"{kind}:{target}:{key}"


def payload_json(text: str, blocks: list[dict[str, Any]] | None) -> str:
    return json.dumps({"text": text, "blocks": blocks or []})


def read_payload(delivery: Delivery) -> tuple[str, list[dict[str, Any]]] | None:
    if not delivery.payload:
        return None
    data = json.loads(delivery.payload)
    return str(data.get("text", "")), list(data.get("blocks") or [])


def backoff(attempts: int, *, rand: Callable[[], float] = random.random) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, 1, 2, 4, 8 min… capped at
    15 min, each ±20 % so that many failed messages do not all come back in the same tick."""
    base: timedelta = min(FIRST_RETRY * 2 ** max(0, attempts - 1), LONGEST_WAIT)
    spread: float = 1 + JITTER * (2 * rand() - 1)
    return base * spread


def claim_delivery(
    session: Session,
    *,
    team_id: str,
    kind: DeliveryKind | str,
    target: str,
    key: str,
    now: datetime,
    payload: str | None = None,
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Claim | None:
    """The right to send this message now, or None if it was sent, is someone else's to send,
    is not due for a retry yet, waits for an earlier message to the same person, or has expired.

    The first call records it (with `payload`, `expires_at` and `shift_id`) even when it may
    not be sent yet, so it is owed from then on."""
    row = record_delivery(
        session,
        team_id=team_id,
        kind=kind,
        target=target,
        key=key,
        now=now,
        payload=payload,
        expires_at=expires_at,
        shift_id=shift_id,
    )
    return take(session, row, now)


def record_delivery(
    session: Session,
    *,
    team_id: str,
    kind: DeliveryKind | str,
    target: str,
    key: str,
    now: datetime,
    payload: str | None = None,
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivery:
    """The delivery, recorded as owed now (due at once) if it was not recorded before."""
    deadline = expires_at or now + DEFAULT_USEFUL_FOR
    inserted = session.execute(
        insert_for(session)(Delivery)
        .values(
            team_id=team_id,
            kind=kind,
            target=target,
            key=key,
            status=DeliveryStatus.RETRY,
            attempts=0,
            claimed_at=now,
            created_at=now,
            next_attempt_at=now,
            payload=payload,
            expires_at=deadline,
            shift_id=shift_id,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "kind", "target", "key"])
        .returning(Delivery.id)
    ).first()
    row = _load(session, team_id=team_id, kind=kind, target=target, key=key)
    if inserted is None and payload is not None and row.payload is None:
        row.payload = payload
        session.add(row)
        session.flush()
    return row


def due(row: Delivery, now: datetime) -> bool:
    """Whether a delivery is for someone to try now: a retry that is due, or a stale claim."""
    return (
        row.status == DeliveryStatus.RETRY and (row.next_attempt_at is None or row.next_attempt_at <= now)
    ) or (row.status == DeliveryStatus.CLAIMED and row.claimed_at <= now - STALE_AFTER)


def take(session: Session, row: Delivery, now: datetime) -> Claim | None:
    """Claim an existing delivery if it is due (compare-and-set, so only one sender wins)."""
    assert row.id is not None
    if not due(row, now):
        return None
    # Read before any update: it refreshes `row` in the session as it runs.
    attempts, status, claimed_at, since = row.attempts, row.status, row.claimed_at, row.created_at
    # Compare-and-set on what was read, so only one taker wins, and a row that changed
    # meanwhile (a stale claim's sender completing it after all) is left as it now stands.
    unchanged = (
        col(Delivery.id) == row.id,
        col(Delivery.status) == status,
        col(Delivery.attempts) == attempts,
        col(Delivery.claimed_at) == claimed_at,
    )
    if row.expires_at is not None and row.expires_at <= now:
        session.execute(
            update(Delivery)
            .where(*unchanged)
            .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=NO_LONGER_USEFUL)
            .execution_options(synchronize_session=False)
        )
        session.expire(row)
        return None
    if waiting_behind(session, row):
        return None
    taken = session.execute(
        update(Delivery)
        .where(*unchanged)
        .values(status=DeliveryStatus.CLAIMED, claimed_at=now, attempts=attempts + 1, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.expire(row)
    return Claim(row.id, attempts + 1, since or claimed_at, now)


def waiting_behind(session: Session, row: Delivery) -> bool:
    """Whether an earlier message to the same target about the same shift is still owed."""
    if row.shift_id is None:
        return False
    earlier = session.exec(
        select(Delivery.id).where(
            Delivery.team_id == row.team_id,
            Delivery.target == row.target,
            Delivery.shift_id == row.shift_id,
            col(Delivery.id) < row.id,
            col(Delivery.status).in_((DeliveryStatus.CLAIMED, DeliveryStatus.RETRY)),
        )
    ).first()
    return earlier is not None


def complete_delivery(
    session: Session, *, claim: Claim, channel_id: str, message_ts: str, now: datetime
) -> None:
    delivery = session.get(Delivery, claim.id)
    assert delivery is not None
    delivery.status, delivery.sent_at, delivery.next_attempt_at = DeliveryStatus.SENT, now, None
    delivery.channel_id, delivery.message_ts, delivery.last_error = channel_id, message_ts, None
    session.add(delivery)
    session.flush()


def fail_delivery(
    session: Session,
    *,
    claim: Claim,
    error: str,
    now: datetime | None = None,
    permanent: bool | None = None,
    rand: Callable[[], float] = random.random,
) -> Delivery:
    """Record a failed try: retried after `backoff` while still useful, else given up.
    `permanent` defaults to whether `error` is one retrying cannot cure. Recorded only while
    `claim` holds the delivery (`_while_held`); the delivery as it stands after."""
    delivery = session.get(Delivery, claim.id)
    assert delivery is not None
    if permanent is None:
        permanent = error in PERMANENT_ERRORS
    retry_at = None if now is None else now + backoff(claim.attempts, rand=rand)
    if permanent or retry_at is None or (delivery.expires_at is not None and retry_at >= delivery.expires_at):
        return _while_held(
            session, claim, status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=error[:500]
        )
    return _while_held(
        session, claim, status=DeliveryStatus.RETRY, next_attempt_at=retry_at, last_error=error[:500]
    )


def drop_delivery(session: Session, *, claim: Claim, why: str = NO_LONGER_USEFUL) -> None:
    """Give up a message that is no longer worth sending (its shift was cancelled or began),
    while `claim` holds it."""
    _while_held(session, claim, status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=why[:500])


def _while_held(session: Session, claim: Claim, **values: Any) -> Delivery:
    """`values` written to the delivery only if `claim` still holds it, compare-and-set as `take`
    claims: a sender that outlived its claim (STALE_AFTER) has seen the delivery taken over by
    another, which may have sent it, and its failure must not make a sent message owed again
    (nor a retry that is another's to make given up). The delivery as it stands after."""
    session.execute(
        update(Delivery).where(*_held(claim)).values(**values).execution_options(synchronize_session=False)
    )
    delivery = session.get(Delivery, claim.id, populate_existing=True)
    assert delivery is not None
    return delivery


def _held(claim: Claim) -> tuple[Any, ...]:
    """The conditions under which `claim` still holds its delivery's row."""
    return (
        col(Delivery.id) == claim.id,
        col(Delivery.status) == DeliveryStatus.CLAIMED,
        col(Delivery.attempts) == claim.attempts,
        col(Delivery.claimed_at) == claim.claimed_at,
    )


def owe_redraw(
    session: Session,
    *,
    team_id: str,
    kind: DeliveryKind,
    target: str,
    key: str,
    now: datetime,
    error: str,
    expires_at: datetime,
    back_off: bool = True,
) -> None:
    """Record that a redraw of `target`'s message (`kind`, `key`) was missed at `now`.

    A redraw already owed keeps its turn, or waits out its backoff from now if that is later (so
    a scheduler's retry that misses, drawn on the coalescer's timer, backs off further each time,
    as any owed message does; not when `back_off` is False, for a redraw a process left undrawn
    as it ended, which nothing refused); one given up or done is owed again, first retried after
    `backoff(1)`; one the scheduler is doing right now is done once more after it."""
    retry_at = now + backoff(1)
    inserted = session.execute(
        insert_for(session)(Delivery)
        .values(
            team_id=team_id,
            kind=kind,
            target=target,
            key=key,
            status=DeliveryStatus.RETRY,
            attempts=1,
            claimed_at=now,
            created_at=now,
            next_attempt_at=retry_at,
            expires_at=expires_at,
            last_error=error[:500],
        )
        .on_conflict_do_nothing(index_elements=["team_id", "kind", "target", "key"])
        .returning(Delivery.id)
    ).first()
    if inserted is not None:
        return
    row = _locked(session, team_id=team_id, kind=kind, target=target, key=key)
    row.created_at, row.expires_at, row.last_error = now, expires_at, error[:500]
    if row.status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        row.status, row.attempts, row.next_attempt_at = DeliveryStatus.RETRY, 1, retry_at
    elif row.status == DeliveryStatus.RETRY and back_off:
        backed_off = now + backoff(row.attempts)
        if row.next_attempt_at is None or row.next_attempt_at < backed_off:
            row.next_attempt_at = backed_off
    elif row.status == DeliveryStatus.CLAIMED:
        # Read by `finish_redraw` or `leave_owed` when the retry under way ends.
        row.next_attempt_at = now + backoff(row.attempts)
    session.add(row)
    session.flush()


def finish_redraw(session: Session, *, claim: Claim, now: datetime) -> None:
    """A claimed redraw went through: done, unless another was missed meanwhile (then it is due
    again). A claim someone else has since taken over (it went stale) is theirs to finish."""
    row = session.exec(
        select(Delivery)
        .where(Delivery.id == claim.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if (row.status, row.attempts, row.claimed_at) != (
        DeliveryStatus.CLAIMED,
        claim.attempts,
        claim.claimed_at,
    ):
        return
    if row.next_attempt_at is not None:
        row.status = DeliveryStatus.RETRY
    else:
        row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, None
    session.add(row)
    session.flush()


def leave_owed(session: Session, *, claim: Claim, retry_at: datetime) -> None:
    """A claimed redraw that was not drawn now but left waiting its turn in this process (whose
    drawing settles it, `settle_redraw`, or gives it up, `give_up_redraws`): owed again, and due
    again at `retry_at` should that turn never come (the process stopped). The try still counts:
    should the drawing miss, the row's backoff grows from it (`owe_redraw`)."""
    session.execute(
        update(Delivery)
        .where(*_held(claim))
        .values(
            status=DeliveryStatus.RETRY,
            # A miss recorded meanwhile (`owe_redraw`) may already have put it off for longer.
            next_attempt_at=sa.case(
                (col(Delivery.next_attempt_at) > retry_at, col(Delivery.next_attempt_at)),
                else_=sa.literal(retry_at, UTCDateTime()),  # stored as the column stores it
            ),
        )
        .execution_options(synchronize_session=False)
    )


def redraws_owed(
    session: Session, *, team_id: str, kind: DeliveryKind, key: str, target: str | None = None
) -> bool:
    """Whether a redraw of this kind and key in workspace `team_id` (to `target`, or anywhere)
    is owed: waiting for a retry, or being retried."""
    if target is None:
        return run(session, _OWED, {"team_id": team_id, "kind": kind, "key": key}).first() is not None
    query = select(Delivery.id).where(
        Delivery.team_id == team_id,
        Delivery.kind == kind,
        Delivery.key == key,
        col(Delivery.status).in_(_OWED_STATUSES),
    )
    if target is not None:
        query = query.where(Delivery.target == target)
    return session.exec(query).first() is not None


def settle_redraw(
    session: Session,
    *,
    team_id: str,
    kind: DeliveryKind,
    key: str,
    drawn_at: datetime,
    now: datetime,
    target: str | None = None,
) -> None:
    """A draw made from how things stood at `drawn_at` went through: a redraw owed since before
    then, waiting for its retry or being retried, is done. (One owed since then may show
    something this draw did not; it stays owed. A retry under way that this settles finds it
    done when it ends, `finish_redraw`, `leave_owed`.)"""
    query = update(Delivery).where(
        col(Delivery.team_id) == team_id,
        col(Delivery.kind) == kind,
        col(Delivery.key) == key,
        col(Delivery.status).in_(_OWED_STATUSES),
        col(Delivery.created_at) < drawn_at,
    )
    if target is not None:
        query = query.where(col(Delivery.target) == target)
    session.execute(
        query.values(
            status=DeliveryStatus.SENT, sent_at=now, next_attempt_at=None, last_error=None
        ).execution_options(synchronize_session=False)
    )


def give_up_redraws(
    session: Session,
    *,
    team_id: str,
    kind: DeliveryKind,
    key: str,
    target: str,
    drawn_at: datetime,
    error: str,
) -> None:
    """A draw made from how things stood at `drawn_at` found the message past redrawing (deleted,
    its channel archived): a redraw of it owed since before then is given up."""
    session.execute(
        update(Delivery)
        .where(
            col(Delivery.team_id) == team_id,
            col(Delivery.kind) == kind,
            col(Delivery.key) == key,
            col(Delivery.target) == target,
            col(Delivery.status).in_(_OWED_STATUSES),
            col(Delivery.created_at) < drawn_at,
        )
        .values(status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=error[:500])
        .execution_options(synchronize_session=False)
    )


def owed(session: Session, now: datetime, *, team_id: str, limit: int = 200) -> list[Delivery]:
    """Workspace `team_id`'s deliveries a tick should try again now, oldest first: retries that
    are due, stale claims."""
    return list(
        session.exec(
            select(Delivery)
            .where(
                col(Delivery.team_id) == team_id,
                or_(
                    (col(Delivery.status) == DeliveryStatus.RETRY)
                    & (or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now)),
                    (col(Delivery.status) == DeliveryStatus.CLAIMED)
                    & (col(Delivery.claimed_at) <= now - STALE_AFTER),
                ),
            )
            .order_by(col(Delivery.id))
            .limit(limit)
        ).all()
    )


def _load(session: Session, *, team_id: str, kind: str, target: str, key: str) -> Delivery:
    return session.exec(
        select(Delivery)
        .where(
            Delivery.team_id == team_id, Delivery.kind == kind, Delivery.target == target, Delivery.key == key
        )
        .execution_options(populate_existing=True)
    ).one()


def _locked(session: Session, *, team_id: str, kind: str, target: str, key: str) -> Delivery:
    """The delivery, its row locked for this transaction (on PostgreSQL; SQLite writers hold
    the whole database)."""
    return session.exec(
        select(Delivery)
        .where(
            Delivery.team_id == team_id, Delivery.kind == kind, Delivery.target == target, Delivery.key == key
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def find_delivery(session: Session, *, team_id: str, kind: str, target: str, key: str) -> Delivery | None:
    return session.exec(
        select(Delivery).where(
            Delivery.team_id == team_id, Delivery.kind == kind, Delivery.target == target, Delivery.key == key
        )
    ).first()


def delivered(
    session: Session, *, team_id: str, kind: DeliveryKind, target: str, key: str
) -> Delivery | None:
    return session.exec(
        select(Delivery).where(
            Delivery.team_id == team_id,
            Delivery.kind == kind,
            Delivery.target == target,
            Delivery.key == key,
            Delivery.status == DeliveryStatus.SENT,
        )
    ).first()


@dataclass(frozen=True)
class ShiftToDraw:
    """What a redraw of a shift's posts reads before drawing: the shift as it stands, its
    version, whether any at-risk post about it went out, whether a redraw of it is owed."""

    shift: ShiftView
    version: int
    at_risk: bool
    owed: bool
    # The language of the shift's state's channel posts (English until a coordinator chooses).
    language: str = ENGLISH_CODE


def shift_to_draw(session: Session, *, shift_id: int) -> ShiftToDraw:
    """`ShiftToDraw` in one statement (the shift's view with two EXISTS beside it)."""
    key = str(shift_id)
    row = run(
        session,
        _SHIFT_TO_DRAW,
        {
            "shift_id": shift_id,
            "key": key,
            "at_risk": DeliveryKind.AT_RISK,
            "redraw": DeliveryKind.SHIFT_REDRAW,
        },
    ).first()
    if row is None:
        raise NotFound(N_("There is no shift #{shift}. `/shifts` lists the open ones."), shift=shift_id)
    shift, version = shift_from_view_row(row)
    return ShiftToDraw(
        shift, version, bool(row.at_risk), bool(row.owed), channel_language(row.state_language)
    )


def messages_sent(
    session: Session, *, team_id: str, kind: DeliveryKind, key: str
) -> list[tuple[str, str, str]]:
    """(target, channel, ts) of every message of `kind` for `key` that went out in workspace
    `team_id`: whom or where it was sent to (a person's id for a DM, to draw it in their
    language), and where it landed."""
    rows = run(session, _SENT, {"team_id": team_id, "kind": kind, "key": key}).all()
    return [(row.target, row.channel_id, row.message_ts) for row in rows if row.channel_id and row.message_ts]


_d = Delivery.__table__.c  # type: ignore[attr-defined]
# Built once, with bound parameters, so SQLAlchemy compiles each once: every redraw of a shift's
# post reads both.
_SENT = sa.select(_d.target, _d.channel_id, _d.message_ts).where(
    _d.team_id == sa.bindparam("team_id"),
    _d.kind == sa.bindparam("kind"),
    _d.key == sa.bindparam("key"),
    _d.status == DeliveryStatus.SENT,
)
_OWED = (
    sa.select(_d.id)
    .where(
        _d.team_id == sa.bindparam("team_id"),
        _d.kind == sa.bindparam("kind"),
        _d.key == sa.bindparam("key"),
        _d.status.in_(_OWED_STATUSES),
    )
    .limit(1)
)
_shift_c = Shift.__table__.c  # type: ignore[attr-defined]
# A shift's deliveries are its own workspace's (the EXISTS correlate with the shift's row).
_SHIFT_TO_DRAW = SHIFT_VIEW.add_columns(
    sa.exists()
    .where(
        _d.team_id == _shift_c.team_id,
        _d.kind == sa.bindparam("at_risk"),
        _d.key == sa.bindparam("key"),
        _d.status == DeliveryStatus.SENT,
    )
    .label("at_risk"),
    sa.exists()
    .where(
        _d.team_id == _shift_c.team_id,
        _d.kind == sa.bindparam("redraw"),
        _d.key == sa.bindparam("key"),
        _d.status.in_(_OWED_STATUSES),
    )
    .label("owed"),
    # The state's channel language, which the post is drawn in.
    State.__table__.c.language.label("state_language"),  # type: ignore[attr-defined]
)
