"""Sending what must reach Slack: exactly-once posts, DMs, and keeping shift posts current."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.common import Reply
from bot.blocks.digests import build_evening_post, build_morning_post
from bot.blocks.shifts import build_promoted_dm, build_shift_post
from bot.deps import Deps
from bot.models import DeliveryKind
from bot.services.deliveries import PostOutcome, claim_delivery, complete_delivery, delivered, fail_delivery
from bot.services.digests import evening_digest, morning_digest
from bot.services.shifts import ReleaseResult, get_shift, record_shift_post, shift_version
from bot.services.states import state_channel
from bot.slack.redraws import SHIFT_POSTS

logger = logging.getLogger(__name__)


def deliver_once(
    deps: Deps,
    client: WebClient,
    *,
    kind: DeliveryKind,
    channel: str,
    key: str,
    build: Callable[[Session], Reply],
) -> str | None:
    """Post `build`'s message to `channel` once per (kind, channel, key); the ts when this call sent it."""
    with deps.session() as session:
        claim = claim_delivery(session, kind=kind, target=channel, key=key, now=deps.clock())
        if claim is None:
            return None
        reply = build(session)
    try:
        response = client.chat_postMessage(channel=channel, text=reply.text, blocks=reply.blocks)
    except SlackApiError as error:
        logger.warning("posting %s %s to %s failed: %s", kind, key, channel, error.response.get("error"))
        with deps.session() as session:
            fail_delivery(session, claim=claim, error=str(error.response.get("error")))
        return None
    ts = str(response["ts"])
    with deps.session() as session:
        complete_delivery(
            session, claim=claim, channel_id=str(response["channel"]), message_ts=ts, now=deps.clock()
        )
    return ts


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
) -> PostOutcome:
    """A state's digest for `day`, once. With `refresh` (a coordinator asking for it now), one
    already posted is brought up to date in place."""
    ts = deliver_once(deps, client, kind=kind, channel=channel, key=day.isoformat(), build=build)
    if ts is not None:
        return PostOutcome.SENT
    with deps.read_session() as session:
        record = delivered(session, kind=kind, target=channel, key=day.isoformat())
        reply = build(session) if record is not None and refresh else None
    if record is None:
        return PostOutcome.PENDING
    if reply is None or not record.channel_id or not record.message_ts:
        return PostOutcome.ALREADY
    try:
        client.chat_update(
            channel=record.channel_id, ts=record.message_ts, text=reply.text, blocks=reply.blocks
        )
    except SlackApiError as error:
        logger.warning(
            "refreshing the %s digest in %s failed: %s", kind, channel, error.response.get("error")
        )
        return PostOutcome.ALREADY
    return PostOutcome.UPDATED


def digest_builder(kind: DeliveryKind, state: str, day: date, now: datetime) -> Callable[[Session], Reply]:
    """How to draw `state`'s morning or evening digest for `day`."""
    if kind == DeliveryKind.MORNING:
        return lambda session: build_morning_post(morning_digest(session, state=state, day=day, now=now))
    return lambda session: build_evening_post(evening_digest(session, state=state, day=day, now=now))


def post_new_shift(deps: Deps, client: WebClient, shift_id: int) -> str | None:
    """Post a new shift in its state's channel, once; the channel id when this call posted it."""
    with deps.read_session() as session:
        shift = get_shift(session, shift_id)
        channel = state_channel(session, shift.state)
    if channel is None:
        return None
    ts = deliver_once(
        deps,
        client,
        kind=DeliveryKind.SHIFT_POST,
        channel=channel,
        key=str(shift_id),
        build=lambda session: build_shift_post(get_shift(session, shift_id)),
    )
    if ts is None:
        return None
    with deps.session() as session:
        record_shift_post(session, shift_id=shift_id, channel_id=channel, message_ts=ts)
    refresh_shift_post(deps, client, shift_id)  # claims may have landed while it was posting
    return channel


def refresh_shift_post(deps: Deps, client: WebClient, shift_id: int) -> None:
    """Bring the shift's channel post up to its latest fill: at most about one redraw a second
    per shift however many claims arrive, always ending on the latest version (read again after
    each redraw, so claims taken by other workers are drawn too)."""
    SHIFT_POSTS.run((deps.engine.url, shift_id), lambda: _redraw_shift_post(deps, client, shift_id))


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


def send_dm(client: WebClient, user_id: str, reply: Reply) -> bool:
    """A direct message from the app; False (logged) when Slack would not take it."""
    try:
        client.chat_postMessage(channel=user_id, text=reply.text, blocks=reply.blocks)
    except SlackApiError as error:
        logger.warning("DM to %s failed: %s", user_id, error.response.get("error"))
        return False
    return True


def after_release(deps: Deps, client: WebClient, result: ReleaseResult) -> None:
    """Tell whoever moved up from the waitlist, and bring the shift's channel post up to date."""
    if not result.changed:
        return
    if result.promoted is not None:
        send_dm(client, result.promoted.user_id, build_promoted_dm(result.promoted))
    refresh_shift_post(deps, client, result.signup.shift.id)
