"""Sending what must reach Slack: exactly-once posts and DMs, retried until they land or stop
mattering, and keeping shift posts current.

Every message goes through a `delivery` record (`bot.services.deliveries`): recorded with its
text before the first try, tried once at once, and retried by the scheduler tick
(`retry_owed`) with backoff. Each message carries its delivery key in its metadata, so a try
whose outcome is unknown (a timeout, a dropped connection, a crash before completing) is
settled by reading the conversation's recent history instead of posting a second copy.

How long each message stays worth sending (`expires_at`, and `still_useful` at each retry):
- a shift's channel post: until the shift starts, and never once it is cancelled;
- a promotion DM ("a place opened up"): until the shift starts, and never once it is cancelled;
- a removal DM: until the shift starts;
- a cancellation DM: until the shift would have ended;
- a shift form's answer DM: six hours;
- scheduled posts and DMs: their job's window (`jobs.posts`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.common import Reply
from bot.blocks.digests import build_at_risk_post, build_evening_post, build_morning_post
from bot.blocks.shifts import build_promoted_dm, build_shift_post
from bot.deps import Deps
from bot.models import Delivery, DeliveryKind, DeliveryStatus, Shift, ShiftStatus
from bot.services.deliveries import (
    Claim,
    PostOutcome,
    claim_delivery,
    complete_delivery,
    delivered,
    drop_delivery,
    fail_delivery,
    find_delivery,
    metadata_key,
    owed,
    payload_json,
    read_payload,
    sent_messages,
    take,
)
from bot.services.digests import evening_digest, morning_digest, shift_people
from bot.services.shifts import ReleaseResult, get_shift, record_shift_post, shift_version
from bot.services.states import state_channel

logger = logging.getLogger(__name__)
EVENT_TYPE = "turnout_delivery"
# Looking for an earlier try's message starts this long before the delivery was recorded
# (the bot's clock and Slack's may differ a little).
HISTORY_MARGIN = timedelta(minutes=2)
HISTORY_PAGE = 200
HISTORY_PAGES = 10
FORM_REPLY_USEFUL_FOR = timedelta(hours=6)


class Fate(StrEnum):
    """What one try at an owed message came to."""

    SENT = "sent"  # by this call (or found in history, sent by an earlier try)
    ALREADY = "already"  # sent before
    PENDING = "pending"  # someone else is sending it, or it waits for an earlier message
    RETRYING = "retrying"  # Slack did not take it; the scheduler will try again
    FAILED = "failed"  # given up: Slack refused it for good, or it is no longer useful


@dataclass(frozen=True)
class Delivered:
    fate: Fate
    ts: str | None = None
    channel: str | None = None
    problem: str | None = None
    until: datetime | None = None

    @property
    def sent(self) -> bool:
        return self.fate == Fate.SENT

    @property
    def landed(self) -> bool:
        return self.fate in (Fate.SENT, Fate.ALREADY)


def deliver_once(
    deps: Deps,
    client: WebClient,
    *,
    kind: DeliveryKind,
    channel: str,
    key: str,
    build: Callable[[Session], Reply],
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivered:
    """Post `build`'s message to `channel` once per (kind, channel, key), or leave it owed."""
    now = deps.clock()
    with deps.session() as session:
        row = find_delivery(session, kind=kind, target=channel, key=key)
        reply: Reply | None = None
        if row is None:
            reply = build(session)
            claim = claim_delivery(
                session,
                kind=kind,
                target=channel,
                key=key,
                now=now,
                payload=payload_json(reply.text, reply.blocks),
                expires_at=expires_at,
                shift_id=shift_id,
            )
        else:
            claim = take(session, row, now)
            if claim is not None:
                reply = build(session)
        if claim is None or reply is None:
            return _standing(session, kind=kind, target=channel, key=key)
    return attempt(deps, client, claim, kind=kind, target=channel, key=key, reply=reply)


def _standing(session: Session, *, kind: str, target: str, key: str) -> Delivered:
    """Where a delivery this call did not send stands."""
    row = find_delivery(session, kind=kind, target=target, key=key)
    if row is None:
        return Delivered(Fate.PENDING)
    if row.status == DeliveryStatus.SENT:
        return Delivered(Fate.ALREADY, row.message_ts, row.channel_id)
    if row.status == DeliveryStatus.FAILED:
        return Delivered(Fate.FAILED, problem=row.last_error)
    if row.status == DeliveryStatus.RETRY and row.attempts > 0:
        return Delivered(Fate.RETRYING, problem=row.last_error, until=row.expires_at)
    return Delivered(Fate.PENDING, until=row.expires_at)


def attempt(
    deps: Deps, client: WebClient, claim: Claim, *, kind: str, target: str, key: str, reply: Reply
) -> Delivered:
    """One try at a claimed delivery: first, if an earlier try may have landed, look for it."""
    stamp = metadata_key(kind, target, key)
    try:
        found = find_sent(client, target, stamp, since=claim.since) if claim.attempts > 1 else None
        if found is None:
            response = client.chat_postMessage(
                channel=target,
                text=reply.text,
                blocks=reply.blocks,
                metadata={"event_type": EVENT_TYPE, "event_payload": {"key": stamp}},
            )
            found = (str(response["channel"]), str(response["ts"]))
    except SlackApiError as error:
        code = str(error.response.get("error"))
        problem = f"Slack answered {error.response.status_code} {code}"
        logger.warning("sending %s %s to %s failed: %s", kind, key, target, problem)
        return _failed(deps, claim, code, problem)
    except Exception as error:  # a timeout or dropped connection: it may or may not have landed
        problem = f"Slack did not answer ({error.__class__.__name__})"
        logger.warning("sending %s %s to %s: %s", kind, key, target, problem)
        return _failed(deps, claim, "no_answer", problem, permanent=False)
    channel_id, ts = found
    with deps.session() as session:
        complete_delivery(session, claim=claim, channel_id=channel_id, message_ts=ts, now=deps.clock())
    return Delivered(Fate.SENT, ts, channel_id)


def _failed(deps: Deps, claim: Claim, code: str, problem: str, *, permanent: bool | None = None) -> Delivered:
    with deps.session() as session:
        row = fail_delivery(session, claim=claim, error=code, now=deps.clock(), permanent=permanent)
        retrying = row.status == DeliveryStatus.RETRY
        until = row.expires_at
    return Delivered(
        Fate.RETRYING if retrying else Fate.FAILED, problem=problem, until=until if retrying else None
    )


def find_sent(client: WebClient, target: str, stamp: str, *, since: datetime) -> tuple[str, str] | None:
    """(channel, ts) of a message in `target`'s conversation stamped with `stamp`, if one landed."""
    channel = target
    if target.startswith(("U", "W")):
        channel = str(client.conversations_open(users=target)["channel"]["id"])
    oldest = f"{(since - HISTORY_MARGIN).timestamp():.6f}"
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = client.conversations_history(
            channel=channel, oldest=oldest, limit=HISTORY_PAGE, include_all_metadata=True, cursor=cursor
        )
        for message in page.get("messages") or []:
            metadata: dict[str, Any] = message.get("metadata") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and (metadata.get("event_payload") or {}).get("key") == stamp
            ):
                return channel, str(message["ts"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    return None


def retry_owed(
    deps: Deps, client: WebClient, now: datetime, wait: Callable[[str], None] | None = None
) -> list[Delivered]:
    """What a scheduler tick does for messages still owed: retry each that is due, oldest first,
    unless it is no longer worth sending."""
    with deps.read_session() as session:
        ids = [row.id for row in owed(session, now) if row.id is not None]
    results = []
    for delivery_id in ids:
        with deps.session() as session:
            row = session.get(Delivery, delivery_id, populate_existing=True)
            if row is None or (row.payload is None and row.kind != DeliveryKind.SHIFT_POST):
                continue  # nothing to resend from: left to its job, which can draw it
            claim = take(session, row, now)
            if claim is None:
                continue
            kind, target, key, shift_id = row.kind, row.target, row.key, row.shift_id
            reply = _redraw(session, row, now)
            if reply is None:
                drop_delivery(session, claim=claim)
                results.append(Delivered(Fate.FAILED, problem="no longer useful"))
                continue
        if wait is not None:
            wait(target)
        result = attempt(deps, client, claim, kind=kind, target=target, key=key, reply=reply)
        if result.sent and kind == DeliveryKind.SHIFT_POST and shift_id is not None:
            _shift_posted(deps, client, shift_id, result)
        results.append(result)
    return results


def _redraw(session: Session, row: Delivery, now: datetime) -> Reply | None:
    """The message to retry, or None if it is no longer worth sending."""
    shift = session.get(Shift, row.shift_id) if row.shift_id is not None else None
    over = shift is not None and (shift.status == ShiftStatus.CANCELLED or shift.starts_at <= now)
    if over and row.kind in (DeliveryKind.SHIFT_POST, DeliveryKind.PROMOTED):
        return None
    if row.kind == DeliveryKind.SHIFT_POST and row.shift_id is not None:
        return build_shift_post(get_shift(session, row.shift_id))  # as it stands now
    stored = read_payload(row)
    return None if stored is None else Reply(stored[0], stored[1])


def constant(reply: Reply) -> Callable[[Session], Reply]:
    """A `deliver_once` builder for a message that needs nothing more from the database."""
    return lambda _session: reply


def post_digest(
    deps: Deps,
    client: WebClient,
    *,
    kind: DeliveryKind,
    channel: str,
    day: date,
    build: Callable[[Session], Reply],
    refresh: bool = False,
    expires_at: datetime | None = None,
) -> tuple[PostOutcome, Delivered]:
    """A state's digest for `day`, once. With `refresh` (a coordinator asking for it now), one
    already posted is brought up to date in place. Says what happened, and what the try came to
    (why it failed, until when it is retried)."""
    result = deliver_once(
        deps, client, kind=kind, channel=channel, key=day.isoformat(), build=build, expires_at=expires_at
    )
    if result.sent:
        return PostOutcome.SENT, result
    if result.fate in (Fate.RETRYING, Fate.FAILED):
        return PostOutcome.RETRYING, result
    # A write session: drawing the evening post marks the step-ups it cheers (SPEC §8).
    with deps.session() as session:
        record = delivered(session, kind=kind, target=channel, key=day.isoformat())
        reply = build(session) if record is not None and refresh else None
    if record is None:
        return PostOutcome.PENDING, result
    if reply is None or not record.channel_id or not record.message_ts:
        return PostOutcome.ALREADY, result
    try:
        client.chat_update(
            channel=record.channel_id, ts=record.message_ts, text=reply.text, blocks=reply.blocks
        )
    except SlackApiError as error:
        logger.warning(
            "refreshing the %s digest in %s failed: %s", kind, channel, error.response.get("error")
        )
        return PostOutcome.ALREADY, result
    return PostOutcome.UPDATED, result


def digest_builder(kind: DeliveryKind, state: str, day: date, now: datetime) -> Callable[[Session], Reply]:
    """How to draw `state`'s morning or evening digest for `day`."""
    if kind == DeliveryKind.MORNING:
        return lambda session: build_morning_post(morning_digest(session, state=state, day=day, now=now))
    return lambda session: build_evening_post(evening_digest(session, state=state, day=day, now=now))


@dataclass(frozen=True)
class ShiftPosted:
    """Where a new shift's post stands: its channel, whether it is in it yet, and, when Slack
    refused it for good (the bot not in the channel, say), Slack's reason."""

    channel: str
    posted: bool
    refused: str | None = None


def post_new_shift(deps: Deps, client: WebClient, shift_id: int) -> ShiftPosted | None:
    """Post a new shift in its state's channel, once (None when its state has no channel).
    If Slack does not take it now, it is retried until the shift starts."""
    with deps.read_session() as session:
        shift = get_shift(session, shift_id)
        channel = state_channel(session, shift.state)
    if channel is None:
        return None
    result = deliver_once(
        deps,
        client,
        kind=DeliveryKind.SHIFT_POST,
        channel=channel,
        key=str(shift_id),
        build=lambda session: build_shift_post(get_shift(session, shift_id)),
        expires_at=shift.starts_at,
        shift_id=shift_id,
    )
    if result.sent:
        _shift_posted(deps, client, shift_id, result)
    refused = (result.problem or "refused") if result.fate == Fate.FAILED else None
    return ShiftPosted(channel, result.landed, refused)


def _shift_posted(deps: Deps, client: WebClient, shift_id: int, result: Delivered) -> None:
    assert result.channel is not None and result.ts is not None
    with deps.session() as session:
        record_shift_post(session, shift_id=shift_id, channel_id=result.channel, message_ts=result.ts)
    try:
        refresh_shift_post(deps, client, shift_id)  # claims may have landed while it was posting
    except Exception:  # the post is out; a redraw that times out is redone by the next change
        logger.warning("redrawing the post of shift #%s failed", shift_id, exc_info=True)


def refresh_shift_post(deps: Deps, client: WebClient, shift_id: int) -> None:
    """Bring the shift's channel post up to its latest fill: at most about one redraw a second
    per shift however many claims arrive, always ending on the latest version (read again after
    each redraw, so claims taken by other workers are drawn too), and any "Cover this shift" post
    about it, so no message in a channel shows a stale fill."""
    deps.redraws.run(shift_id, lambda: _redraw_shift_post(deps, client, shift_id))
    _refresh_at_risk_posts(deps, client, shift_id)


def _refresh_at_risk_posts(deps: Deps, client: WebClient, shift_id: int) -> None:
    with deps.read_session() as session:
        posts = sent_messages(session, kind=DeliveryKind.AT_RISK, key=str(shift_id))
        item = shift_people(session, shift_id=shift_id) if posts else None
    if item is None:
        return
    reply = build_at_risk_post(item)
    for channel, ts in posts:
        try:
            client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
        except SlackApiError as error:
            logger.warning(
                "updating the at-risk post of shift #%s failed: %s", shift_id, error.response.get("error")
            )


def _redraw_shift_post(deps: Deps, client: WebClient, shift_id: int) -> bool:
    """Draw the shift's post as it stands; whether its version is still the one drawn."""
    with deps.read_session() as session:
        version = shift_version(session, shift_id)
        shift = get_shift(session, shift_id)
    if not shift.channel_id or not shift.message_ts:
        return True
    reply = build_shift_post(shift)
    try:
        client.chat_update(
            channel=shift.channel_id, ts=shift.message_ts, text=reply.text, blocks=reply.blocks
        )
    except SlackApiError as error:
        logger.warning("updating the post of shift #%s failed: %s", shift_id, error.response.get("error"))
        return True
    with deps.read_session() as session:
        return shift_version(session, shift_id) == version


def send_dm(
    deps: Deps,
    client: WebClient,
    *,
    kind: DeliveryKind,
    user_id: str,
    key: str,
    reply: Reply,
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivered:
    """A direct message owed to `user_id`, sent once per (kind, key); retried by the scheduler
    while it is still useful when Slack does not take it now."""
    return deliver_once(
        deps,
        client,
        kind=kind,
        channel=user_id,
        key=key,
        build=constant(reply),
        expires_at=expires_at,
        shift_id=shift_id,
    )


def event_key(shift_id: int, signup_id: int, now: datetime) -> str:
    """A key for a message about one event on a signup (it may be promoted, or removed, again later)."""
    return f"{shift_id}:{signup_id}:{int(now.timestamp() * 1_000_000)}"


def after_release(deps: Deps, client: WebClient, result: ReleaseResult) -> None:
    """Tell whoever moved up from the waitlist, and bring the shift's channel post up to date."""
    if not result.changed:
        return
    promoted = result.promoted
    if promoted is not None:
        send_dm(
            deps,
            client,
            kind=DeliveryKind.PROMOTED,
            user_id=promoted.user_id,
            key=event_key(promoted.shift.id, promoted.id, deps.clock()),
            reply=build_promoted_dm(promoted),
            expires_at=promoted.shift.starts_at,
            shift_id=promoted.shift.id,
        )
    refresh_shift_post(deps, client, result.signup.shift.id)
