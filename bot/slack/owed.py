"""What a scheduler tick does for everything still owed: each delivery whose retry is due (or
whose sender crashed), oldest first, tried once more unless it is no longer worth sending.

Messages are sent again from what was recorded (a shift's post drawn afresh); redraws of a
shift's posts and App Home tabs draw how things stand now; a weekly chart is uploaded once its
digest has landed.

A workspace's run also owes messages to people of other workspaces (a shared shift's reminders
to its claimers of another organization). Those are recorded as owed by the run
(`delivery.owe_elsewhere`) and handed to the recipient workspace's lane (`hand_over`), which sends
them with that workspace's token and its own pacing: a workspace answering 429s, stalling or
uninstalled holds up only its own lane, never the run that owes it a message. Each is claimed
before it is sent, like any retry, so it goes once; one its lane has not sent (a crash, a
workspace uninstalled meanwhile) stays owed, and that workspace's own run retries it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from functools import partial

from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks.common import Reply
from bot.db import database_unreachable
from bot.deps import Deps
from bot.models import Delivery, DeliveryKind, Shift, ShiftStatus
from bot.services.deliveries import drop_delivery, owed, read_payload, take
from bot.services.errors import NotFound
from bot.services.shifts import get_shift
from bot.slack.delivery import (
    Delivered,
    Fate,
    attempt,
    retry_shift_redraw,
    shift_post,
    shift_posted,
    standing,
)
from bot.slack.home import retry_home
from bot.slack.uploads import retry_chart

logger = logging.getLogger(__name__)

Retry = Callable[[Deps, WebClient, int, datetime], Delivered | None]
REDRAWN: dict[str, Retry] = {
    DeliveryKind.SHIFT_REDRAW: retry_shift_redraw,
    DeliveryKind.HOME: retry_home,
    DeliveryKind.WEEKLY_CHART: retry_chart,
}


def retry_owed(
    deps: Deps, client: WebClient, team_id: str, wait: Callable[[str], None] | None = None
) -> list[Delivered]:
    """Retry each of workspace `team_id`'s owed deliveries that is due, oldest first, with
    `client` (that workspace's); `wait` paces messages per channel.

    Whether a retry is due and a claim stale is judged by `deps.clock()`, the clock every sender
    stamps its claims with, never by the time a tick runs as of: a tick dated ahead of it (a
    test's, the shell's) would find a claim made a moment ago stale, and send it a second time."""
    with deps.read_session() as session:
        due = [
            (row.id, row.kind) for row in owed(session, deps.clock(), team_id=team_id) if row.id is not None
        ]
    results = []
    for delivery_id, kind in due:
        retry = REDRAWN.get(kind)
        # Each is claimed as of when it is taken, not when the tick began: a claim dated from
        # the start of a long tick (a queued lane, Slack's 429s waited out) would look stale to
        # other senders at once, and they would send it too.
        at = deps.clock()
        try:
            result = (
                retry(deps, client, delivery_id, at)
                if retry is not None
                else _retry_message(deps, client, delivery_id, at, wait)
            )
        except Exception as error:
            if database_unreachable(error):
                raise  # every other one would wait on it too: the tick tries again later
            # Left as it was (if claimed, retried once the claim is stale); the rest go on.
            logger.exception("retrying owed delivery %s in %s failed", delivery_id, team_id)
            result = Delivered(Fate.RETRYING, problem="retrying it failed")
        if result is not None:
            results.append(result)
    return results


def hand_over(deps: Deps, team_id: str, delivery_ids: Sequence[int]) -> Future[list[Delivered]] | None:
    """Send workspace `team_id`'s owed messages `delivery_ids` on its lane, after what is already
    queued there; None when all of them are already queued there (a later tick, while that
    workspace's Slack still keeps its lane waiting)."""
    return deps.lanes.submit_new(team_id, delivery_ids, partial(_send_handed, deps, team_id))


def _send_handed(deps: Deps, team_id: str, delivery_ids: list[int]) -> list[Delivered]:
    """On workspace `team_id`'s lane: each message with its own client, paced; one this lane did
    not send (someone else sent it or is sending it, it is no longer useful) is where it stands.
    Where Turnout is no longer installed nothing is sent, and the messages stay owed."""
    client = deps.workspaces.client(team_id)
    if client is None:
        logger.info(
            "not sending %d owed message(s): Turnout is not installed in %s", len(delivery_ids), team_id
        )
        return [Delivered(Fate.FAILED, problem=f"Turnout is not installed in {team_id}")] * len(delivery_ids)
    pacer = deps.make_pacer()
    results: list[Delivered] = []
    for delivery_id in delivery_ids:
        try:
            result = _retry_message(deps, client, delivery_id, deps.clock(), pacer.wait)
        except Exception as error:  # left claimed: retried once the claim is stale
            logger.exception("sending owed message %s in %s failed", delivery_id, team_id)
            if database_unreachable(error):  # the rest would wait on it too: they stay owed
                unreachable = Delivered(Fate.RETRYING, problem="the database could not be reached")
                return results + [unreachable] * (len(delivery_ids) - len(results))
            result = Delivered(Fate.RETRYING, problem="sending it failed")
        results.append(result or _standing(deps, delivery_id))
    return results


def _standing(deps: Deps, delivery_id: int) -> Delivered:
    """Where a handed message this lane did not send stands (sent meanwhile, given up, or someone
    else's to send)."""
    with deps.read_session() as session:
        row = session.get(Delivery, delivery_id)
        if row is None:
            return Delivered(Fate.PENDING)
        return standing(session, team_id=row.team_id, kind=row.kind, target=row.target, key=row.key)


def _retry_message(
    deps: Deps, client: WebClient, delivery_id: int, now: datetime, wait: Callable[[str], None] | None
) -> Delivered | None:
    with deps.session() as session:
        row = session.get(Delivery, delivery_id, populate_existing=True)
        if row is None or (row.payload is None and row.kind != DeliveryKind.SHIFT_POST):
            return None  # nothing to resend from: left to its job, which can draw it
        claim = take(session, row, now)
        if claim is None:
            return None
        kind, target, key, shift_id, row_team = row.kind, row.target, row.key, row.shift_id, row.team_id
        reply = _message(session, row, now)
        if reply is None:
            drop_delivery(session, claim=claim)
            return Delivered(Fate.FAILED, problem="no longer useful")
    if wait is not None:
        wait(target)
    result = attempt(deps, client, claim, kind=kind, target=target, key=key, reply=reply)
    if result.sent and kind == DeliveryKind.SHIFT_POST and shift_id is not None:
        shift_posted(deps, client, shift_id, result, team_id=row_team)
    return result


def _message(session: Session, row: Delivery, now: datetime) -> Reply | None:
    """The message to retry, or None if it is no longer worth sending."""
    shift = session.get(Shift, row.shift_id) if row.shift_id is not None else None
    over = shift is not None and (shift.status == ShiftStatus.CANCELLED or shift.starts_at <= now)
    if over and row.kind in (DeliveryKind.SHIFT_POST, DeliveryKind.PROMOTED, DeliveryKind.SHIFT_CHANGED):
        return None
    if row.kind == DeliveryKind.PROPOSAL and (shift is None or shift.status != ShiftStatus.PROPOSED):
        return None  # decided (or withdrawn) meanwhile: its buttons would offer nothing
    if row.kind == DeliveryKind.SHIFT_POST and row.shift_id is not None:
        try:
            seen = get_shift(session, row.shift_id, team_id=row.team_id)
        except NotFound:  # no longer shared with this workspace (or its organization left)
            return None
        # As it stands now, in the state's language.
        return shift_post(session, seen, row.team_id)
    stored = read_payload(row)
    return None if stored is None else Reply(stored[0], stored[1])
