"""Sending what must reach Slack: exactly-once posts and DMs, retried until they land or stop
mattering, and keeping shift posts current.

Every message goes through a `delivery` record (`bot.services.deliveries`): recorded with its
text before the first try, tried once at once, and retried by the scheduler tick
(`bot.slack.owed.retry_owed`) with backoff. Each message carries its delivery key in its
metadata, so a try whose outcome is unknown (a timeout, a dropped connection, a crash before
completing) is settled by reading the conversation's recent history instead of posting a
second copy. A redraw of a shift's post Slack did not take is owed the same way
(`refresh_shift_post`); `chat.update` changes the one message in place, so redoing it is safe.

How long each message stays worth sending (`expires_at`, and `still_useful` at each retry):
- a shift's channel post: until the shift starts, and never once it is cancelled;
- a redraw of a shift's channel and at-risk posts: until the shift ends (a cancelled shift's
  post is redrawn to say so);
- a promotion DM ("a place opened up"): until the shift starts, and never once it is cancelled;
- a removal DM: until the shift starts;
- a "your shift changed" DM: until the shift starts, and never once it is cancelled;
- a cancellation DM: until the shift would have ended;
- a proposal for the leads: until the shift would start, and never once it is decided;
- news for a shift's host (a claim, a release) and late releases for the leads: until it starts;
- a shift form's answer DM: six hours;
- scheduled posts and DMs: their job's window (`jobs.posts`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.common import Reply, someone
from bot.blocks.digests import (
    build_at_risk_post,
    build_at_risk_settled,
    build_evening_post,
    build_morning_post,
)
from bot.blocks.hosting import build_claim_news, build_late_release, build_release_news
from bot.blocks.shifts import build_promoted_dm, build_shift_post
from bot.deps import Deps
from bot.i18n import Lang, language
from bot.models import Delivery, DeliveryKind, DeliveryStatus, Shift, SignupStatus
from bot.services.deliveries import (
    FIRST_RETRY,
    NO_LONGER_USEFUL,
    PERMANENT_ERRORS,
    Claim,
    PostOutcome,
    claim_delivery,
    complete_delivery,
    delivered,
    drop_delivery,
    due,
    fail_delivery,
    find_delivery,
    finish_redraw,
    give_up_redraws,
    leave_owed,
    messages_sent,
    metadata_key,
    owe_redraw,
    payload_json,
    record_delivery,
    settle_redraw,
    shift_to_draw,
    take,
)
from bot.services.digests import evening_digest, morning_digest, readers_languages, shift_people
from bot.services.editing import moved_key
from bot.services.hosting import leads_languages
from bot.services.members import Member
from bot.services.organizations import org_names
from bot.services.people import display_names, language_of
from bot.services.sharing import posts_elsewhere, record_post, teams_with_channel
from bot.services.shifts import (
    ClaimResult,
    ReleaseResult,
    ShiftView,
    SignupView,
    get_shift,
    get_shift_and_version,
    record_shift_post,
    seen_from,
    shift_version,
)
from bot.services.states import leads_targets, state_channel, state_language
from bot.slack.lanes import LanesClosed

logger = logging.getLogger(__name__)
EVENT_TYPE = "turnout_delivery"
# Looking for an earlier try's message starts this long before the delivery was recorded
# (the bot's clock and Slack's may differ a little).
HISTORY_MARGIN = timedelta(minutes=2)
HISTORY_PAGE = 200
HISTORY_PAGES = 10
FORM_REPLY_USEFUL_FOR = timedelta(hours=6)
# How long a request waits, in all, for its DMs handed to other workspaces' lanes to land before
# it answers how many people were told.
HANDED_WAIT_SECONDS = 1.0


class Fate(StrEnum):
    """What one try at an owed message came to."""

    SENT = "sent"  # by this call (or found in history, sent by an earlier try)
    ALREADY = "already"  # sent before
    PENDING = "pending"  # someone else is sending it, or it waits for an earlier message
    RETRYING = "retrying"  # Slack did not take it; the scheduler will try again
    FAILED = "failed"  # given up: Slack refused it for good, or it is no longer useful
    HANDED = "handed"  # owed to another workspace: recorded, for that workspace's lane to send


@dataclass(frozen=True)
class Delivered:
    fate: Fate
    ts: str | None = None
    channel: str | None = None
    problem: str | None = None
    until: datetime | None = None
    # The delivery handed to its workspace's lane (`Fate.HANDED`), and that lane's sending of it
    # (None when it was queued there already).
    delivery_id: int | None = None
    sending: Future[list[Delivered]] | None = field(default=None, compare=False, repr=False)

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
    team_id: str,
    kind: DeliveryKind,
    channel: str,
    key: str,
    build: Callable[[Session], Reply],
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivered:
    """Post `build`'s message to `channel` of workspace `team_id` once per (team, kind, channel,
    key), or leave it owed, with `client` (the request's or the run's own workspace's).

    A message for another workspace (a DM to someone of another organization on a shared shift)
    is recorded as owed and handed to that workspace's lane (`Fate.HANDED`), which sends it with
    that workspace's token: a workspace answering 429s or stalling never holds up the request or
    run that owes it a message. Nothing goes to a workspace Turnout no longer serves: another
    workspace's token must never carry it."""
    own = deps.workspaces.client(team_id)
    if own is None:
        logger.info("not sending %s %s: Turnout is not installed in %s", kind, key, team_id)
        return Delivered(Fate.FAILED, problem=f"Turnout is not installed in {team_id}")
    if not _same_workspace(own, client):
        from bot.slack.owed import hand_over  # it sends through this module: imported when used

        owing = owe_elsewhere(
            deps,
            team_id=team_id,
            kind=kind,
            channel=channel,
            key=key,
            build=build,
            expires_at=expires_at,
            shift_id=shift_id,
        )
        if owing.fate == Fate.HANDED and owing.delivery_id is not None:
            try:
                return replace(owing, sending=hand_over(deps, team_id, [owing.delivery_id]))
            except LanesClosed:  # the process is stopping
                logger.info("%s %s left owed to %s: its lane is shut down", kind, key, team_id)
                return Delivered(Fate.PENDING)
        return owing
    now = deps.clock()
    with deps.session() as session:
        row = find_delivery(session, team_id=team_id, kind=kind, target=channel, key=key)
        reply: Reply | None = None
        if row is None:
            reply = build(session)
            claim = claim_delivery(
                session,
                team_id=team_id,
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
            return standing(session, team_id=team_id, kind=kind, target=channel, key=key)
    return attempt(deps, client, claim, kind=kind, target=channel, key=key, reply=reply)


def landed_count(results: Iterable[Delivered], *, within: float = HANDED_WAIT_SECONDS) -> int:
    """How many of `results` have landed: those sent here, and those handed to another
    workspace's lane that it sends within `within` seconds in all (a slow workspace's are not
    waited for longer, and count as not yet sent)."""
    deadline = time.monotonic() + within
    count = 0
    for result in results:
        if result.landed:
            count += 1
        elif result.sending is not None:
            try:
                sent = result.sending.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # not sent in time, or its lane failed: it stays owed
                continue
            count += sum(1 for one in sent if one.landed)
    return count


def owe_elsewhere(
    deps: Deps,
    *,
    team_id: str,
    kind: DeliveryKind,
    channel: str,
    key: str,
    build: Callable[[Session], Reply],
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivered:
    """What a run for one workspace owes `channel` of another, workspace `team_id` (a shared
    shift's reminder to a claimer of another organization), once per (team, kind, channel, key):
    recorded as owed, drawn as `build` draws it (in its reader's language), and not sent here.
    `Fate.HANDED` with the delivery's id when it is for `team_id`'s lane to send now
    (`bot.slack.owed.hand_over`), so that workspace's 429s, stalls and timeouts hold up only its
    own lane; otherwise where it stands (sent, someone else's to send, waiting for its retry).
    Nothing is recorded for a workspace Turnout no longer serves."""
    if deps.workspaces.client(team_id) is None:
        logger.info("not sending %s %s: Turnout is not installed in %s", kind, key, team_id)
        return Delivered(Fate.FAILED, problem=f"Turnout is not installed in {team_id}")
    now = deps.clock()
    with deps.session() as session:
        row = find_delivery(session, team_id=team_id, kind=kind, target=channel, key=key)
        if row is None or row.payload is None:
            reply = build(session)
            row = record_delivery(
                session,
                team_id=team_id,
                kind=kind,
                target=channel,
                key=key,
                now=now,
                payload=payload_json(reply.text, reply.blocks),
                expires_at=expires_at,
                shift_id=shift_id,
            )
        if not due(row, now):
            return standing(session, team_id=team_id, kind=kind, target=channel, key=key)
        return Delivered(Fate.HANDED, delivery_id=row.id)


def standing(session: Session, *, team_id: str, kind: str, target: str, key: str) -> Delivered:
    """Where a delivery this call did not send stands."""
    row = find_delivery(session, team_id=team_id, kind=kind, target=target, key=key)
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
        return failed_try(deps, claim, code, problem)
    except Exception as error:  # a timeout or dropped connection: it may or may not have landed
        problem = f"Slack did not answer ({error.__class__.__name__})"
        logger.warning("sending %s %s to %s: %s", kind, key, target, problem)
        return failed_try(deps, claim, "no_answer", problem, permanent=False)
    channel_id, ts = found
    with deps.session() as session:
        complete_delivery(session, claim=claim, channel_id=channel_id, message_ts=ts, now=deps.clock())
    return Delivered(Fate.SENT, ts, channel_id)


def failed_try(
    deps: Deps, claim: Claim, code: str, problem: str, *, permanent: bool | None = None
) -> Delivered:
    with deps.session() as session:
        row = fail_delivery(session, claim=claim, error=code, now=deps.clock(), permanent=permanent)
        status, until, ts, channel = row.status, row.expires_at, row.message_ts, row.channel_id
        taken_over = (row.attempts, row.claimed_at) != (claim.attempts, claim.claimed_at)
    if status == DeliveryStatus.SENT:  # another sender's try, or a later drawing, went through
        return Delivered(Fate.ALREADY, ts, channel)
    if taken_over and status != DeliveryStatus.FAILED:  # another sender's to try now
        return Delivered(Fate.PENDING)
    if status == DeliveryStatus.RETRY:
        return Delivered(Fate.RETRYING, problem=problem, until=until)
    return Delivered(Fate.FAILED, problem=problem)


def find_sent(client: WebClient, target: str, stamp: str, *, since: datetime) -> tuple[str, str] | None:
    """(channel, ts) of a message in `target`'s conversation stamped with `stamp`, if one landed."""

    def stamped(message: dict[str, Any]) -> bool:
        metadata: dict[str, Any] = message.get("metadata") or {}
        return (
            metadata.get("event_type") == EVENT_TYPE
            and (metadata.get("event_payload") or {}).get("key") == stamp
        )

    found = find_in_history(client, target, since=since, matches=stamped)
    return None if found is None else (found[0], str(found[1]["ts"]))


def find_in_history(
    client: WebClient, target: str, *, since: datetime, matches: Callable[[dict[str, Any]], bool]
) -> tuple[str, dict[str, Any]] | None:
    """The conversation with `target` (a channel, or a person: the app's DM with them) and the
    newest message in it since a little before `since` that `matches`, if there is one."""
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
            if matches(message):
                return channel, message
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if cursor is None:
            return None
    return None


def constant(reply: Reply) -> Callable[[Session], Reply]:
    """A `deliver_once` builder for a message that needs nothing more from the database."""
    return lambda _session: reply


def post_digest(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
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
        deps,
        client,
        team_id=team_id,
        kind=kind,
        channel=channel,
        key=day.isoformat(),
        build=build,
        expires_at=expires_at,
    )
    if result.sent:
        return PostOutcome.SENT, result
    if result.fate in (Fate.RETRYING, Fate.FAILED):
        return PostOutcome.RETRYING, result
    # A write session: drawing the evening post marks the step-ups it cheers (SPEC §8).
    with deps.session() as session:
        record = delivered(session, team_id=team_id, kind=kind, target=channel, key=day.isoformat())
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


def digest_builder(
    kind: DeliveryKind, team_id: str, state: str, day: date, now: datetime
) -> Callable[[Session], Reply]:
    """How to draw workspace `team_id`'s morning or evening digest of `state` for `day`, in the
    state's language as it is when drawn (the delivery's key does not depend on it: a post is
    never sent twice)."""

    def build(session: Session) -> Reply:
        lang = language(state_language(session, team_id=team_id, code=state))
        if kind == DeliveryKind.MORNING:
            return build_morning_post(
                morning_digest(session, team_id=team_id, state=state, day=day, now=now), lang
            )
        return build_evening_post(
            evening_digest(session, team_id=team_id, state=state, day=day, now=now), lang
        )

    return build


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
        shift = get_shift(session, shift_id, team_id=None)
        channel = state_channel(session, team_id=shift.team_id, code=shift.state)
    if channel is None:
        return None
    result = deliver_once(
        deps,
        client,
        team_id=shift.team_id,
        kind=DeliveryKind.SHIFT_POST,
        channel=channel,
        key=str(shift_id),
        build=lambda session: shift_post(session, get_shift(session, shift_id, team_id=None)),
        expires_at=shift.starts_at,
        shift_id=shift_id,
    )
    if result.sent:
        shift_posted(deps, client, shift_id, result)
    if shift.shared:  # shared from the form: posted in every other workspace with the state's channel too
        post_shared_copies(deps, client, shift_id)
    refused = (result.problem or "refused") if result.fate == Fate.FAILED else None
    return ShiftPosted(channel, result.landed, refused)


def shift_posted(
    deps: Deps, client: WebClient, shift_id: int, result: Delivered, *, team_id: str | None = None
) -> None:
    """Where the shift's post landed (in workspace `team_id`, when it is a shared shift's copy
    in another organization's workspace), then drawn again in case claims came meanwhile."""
    assert result.channel is not None and result.ts is not None
    with deps.session() as session:
        owner = get_shift(session, shift_id, team_id=None).team_id
        copy = team_id is not None and team_id != owner
        if copy:
            assert team_id is not None
            record_post(
                session, shift_id=shift_id, team_id=team_id, channel_id=result.channel, message_ts=result.ts
            )
        else:
            record_shift_post(session, shift_id=shift_id, channel_id=result.channel, message_ts=result.ts)
    try:
        if copy:
            assert team_id is not None
            _draw_copy(deps, client, shift_id, team_id)
        else:
            refresh_shift_post(deps, client, shift_id)  # claims may have landed while it was posting
    except Exception:  # the post is out; the redraw is redone by the shift's next change
        logger.warning("redrawing the post of shift #%s failed", shift_id, exc_info=True)


# ---------------------------------------------------------------- shared shifts in other workspaces


def _same_workspace(a: WebClient, b: WebClient) -> bool:
    return a is b or (a.token is not None and a.token == b.token)


def in_workspace(deps: Deps, client: WebClient, team_id: str, work: Callable[[WebClient], object]) -> None:
    """Do `work` with workspace `team_id`'s client: at once when `client` (the request's) is that
    workspace's, else on that workspace's lane, so a slow workspace never delays another's answer.
    Nothing where Turnout is not installed."""
    own = deps.workspaces.client(team_id)
    if own is None:
        return
    if _same_workspace(own, client):
        work(client)
    else:
        deps.lanes.submit(team_id, partial(work, own))


def post_shared_copies(deps: Deps, client: WebClient, shift_id: int) -> list[str]:
    """Post a shared shift in every other installed workspace with a channel for its state (each
    with its own token, on its own lane); the workspaces it goes to."""
    with deps.read_session() as session:
        row = session.get(Shift, shift_id)
        teams = teams_with_channel(session, row) if row is not None and row.shared_at is not None else []
    for team in teams:
        in_workspace(deps, client, team, partial(_post_copy_logged, deps, shift_id=shift_id, team_id=team))
    return teams


def _post_copy_logged(deps: Deps, client: WebClient, *, shift_id: int, team_id: str) -> None:
    try:
        post_shared_copy(deps, client, shift_id, team_id)
    except Exception:
        logger.exception("posting shared shift #%s in %s failed", shift_id, team_id)


def post_shared_copy(deps: Deps, client: WebClient, shift_id: int, team_id: str) -> ShiftPosted | None:
    """Post another organization's shared shift in workspace `team_id`'s channel for its state,
    once (None when it has none, or the shift is no longer open). Retried like any shift post."""
    with deps.read_session() as session:
        shift = get_shift(session, shift_id, team_id=None)
        channel = state_channel(session, team_id=team_id, code=shift.state)
    if channel is None or shift.cancelled or shift.starts_at <= deps.clock():
        return None
    result = deliver_once(
        deps,
        client,
        team_id=team_id,
        kind=DeliveryKind.SHIFT_POST,
        channel=channel,
        key=str(shift_id),
        build=lambda session: shift_post(session, get_shift(session, shift_id, team_id=team_id), team_id),
        expires_at=shift.starts_at,
        shift_id=shift_id,
    )
    if result.sent:
        shift_posted(deps, client, shift_id, result, team_id=team_id)
    refused = (result.problem or "refused") if result.fate == Fate.FAILED else None
    return ShiftPosted(channel, result.landed, refused)


def _refresh_copies(deps: Deps, client: WebClient, shift_id: int) -> None:
    """Redraw a shared shift's posts in the other workspaces, each with its own token on its own
    lane (at once for the request's own workspace), coalesced per workspace and shift."""
    with deps.read_session() as session:
        teams = [post.team_id for post in posts_elsewhere(session, shift_id=shift_id)]
    for team in teams:

        def work(team_client: WebClient, team: str = team) -> None:
            deps.redraws.run(
                (team, shift_id), lambda: _draw_copy(deps, team_client, shift_id, team), lane=team
            )

        in_workspace(deps, client, team, work)


def _draw_copy(deps: Deps, client: WebClient, shift_id: int, team_id: str) -> bool:
    """Draw the shared shift's post in workspace `team_id` as it stands; whether its version is
    still the one drawn. A redraw Slack does not take is logged: the shift's next change draws
    it again."""
    with deps.read_session() as session:
        post = next((p for p in posts_elsewhere(session, shift_id=shift_id) if p.team_id == team_id), None)
        if post is None:
            return True
        shift, version = get_shift_and_version(session, shift_id, team_id=None)
        reply = shift_post(session, seen_from(session, shift, team_id), team_id)
        channel, ts = post.channel_id, post.message_ts
    try:
        client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
    except Exception as error:
        logger.warning(
            "updating the post of shift #%s in %s failed: %s",
            shift_id,
            team_id,
            missed_redraw(channel, error).problem,
        )
        return True
    with deps.read_session() as session:
        return shift_version(session, shift_id) == version


def refresh_shift_post(
    deps: Deps, client: WebClient, shift_id: int, *, seen: ShiftView | None = None
) -> None:
    """Bring the shift's channel post up to its latest fill: at most about one redraw a second
    per shift however many claims arrive, and within Slack's chat.update limit for the shift's
    workspace however many of its shifts change (`bot.slack.redraws`), always ending on the
    latest version (read again after each redraw, so claims taken by other workers are drawn
    too), and any "Cover this shift" post about it, so no message in a channel shows a stale
    fill.

    A redraw due now is drawn in this thread; one within a second of the last is drawn later by
    the coalescer (`deps.redraws`), and this thread goes on. Each drawing answers for itself: a
    redraw Slack did not take (5xx, 429, no answer) is owed (`DeliveryKind.SHIFT_REDRAW`, one
    per shift and channel) and retried by the scheduler until the shift ends, each time drawing
    the shift as it stands then; a redraw that goes through settles one owed from before it.

    A shared shift's posts are each drawn with their own workspace's token. `seen`: the shift as
    the caller just read it, which says whether it is shared without reading it again (a shift
    is never unshared)."""
    if seen is not None and not seen.shared:
        owner: str | None = seen.team_id
        shared = False
    else:
        with deps.read_session() as session:
            row = session.get(Shift, shift_id)
            owner, shared = (row.team_id, row.shared_at is not None) if row is not None else (None, False)
    if not shared or owner is None:
        deps.redraws.run(shift_id, lambda: _draw_and_settle(deps, client, shift_id), lane=owner)
        return

    def own(owner_client: WebClient) -> None:
        deps.redraws.run(shift_id, lambda: _draw_and_settle(deps, owner_client, shift_id), lane=owner)

    # A shared shift: its own workspace's post with its own token (the request may be another's).
    in_workspace(deps, client, owner, own)
    _refresh_copies(deps, client, shift_id)


def _draw_and_settle(deps: Deps, client: WebClient, shift_id: int) -> bool:
    """One drawing of the shift's posts, then what it owes or settles; whether it drew the latest."""
    redrawn = Redrawn(drew=True)
    latest = _draw_shift(deps, client, shift_id, redrawn)
    _owe_or_settle(deps, shift_id, redrawn)
    return latest


def _owe_or_settle(deps: Deps, shift_id: int, redrawn: Redrawn) -> None:
    curable = [missed for missed in redrawn.missed if not missed.permanent]
    key = str(shift_id)
    lost = [missed for missed in redrawn.missed if missed.permanent]
    if lost and redrawn.owed_before and redrawn.team_id is not None and redrawn.drawn_at is not None:
        # Past redrawing (deleted, archived): a retry of it owed since before stops here.
        with deps.session() as session:
            for missed in lost:
                give_up_redraws(
                    session,
                    team_id=redrawn.team_id,
                    kind=DeliveryKind.SHIFT_REDRAW,
                    key=key,
                    target=missed.channel,
                    drawn_at=redrawn.drawn_at,
                    error=missed.error,
                )
    if curable:
        now = deps.clock()
        with deps.session() as session:
            shift = get_shift(session, shift_id, team_id=None)
            ends_at = redrawn.ends_at or shift.ends_at
            for missed in curable:
                owe_redraw(
                    session,
                    team_id=shift.team_id,
                    kind=DeliveryKind.SHIFT_REDRAW,
                    target=missed.channel,
                    key=key,
                    now=now,
                    error=missed.error,
                    expires_at=ends_at,
                )
        return
    if not redrawn.drew or redrawn.drawn_at is None:
        return
    # Every miss left was past redrawing, and its retry given up above: the rest are settled.
    if redrawn.owed_before and redrawn.team_id is not None:
        with deps.session() as session:
            settle_redraw(
                session,
                team_id=redrawn.team_id,
                kind=DeliveryKind.SHIFT_REDRAW,
                key=key,
                drawn_at=redrawn.drawn_at,
                now=deps.clock(),
            )


def owe_pending_redraws(deps: Deps) -> int:
    """As this process exits: each shift post whose redraw still waits its turn here (a
    workspace's queue may hold its changing posts for minutes, `bot.slack.redraws`) recorded as
    an owed redraw, for the scheduler to draw as the shift then stands; how many. From now on a
    redraw asked for here (work still finishing) is owed at once (`Coalescer.close`). Copies in
    other workspaces are not owed: the shift's next change redraws them."""
    waiting = deps.redraws.close(left=lambda key, _lane: _owe_left(deps, key))
    return _owe_redraws(deps, sorted(key for key, _lane in waiting if isinstance(key, int)))


def _owe_left(deps: Deps, key: Hashable) -> None:
    if not isinstance(key, int):
        return
    try:
        _owe_redraws(deps, [key])
    except Exception:
        logger.exception("recording the redraw of shift #%s, asked for as the process exits, failed", key)


def _owe_redraws(deps: Deps, shift_ids: list[int]) -> int:
    if not shift_ids:
        return 0
    now, owed = deps.clock(), 0
    with deps.session() as session:
        for shift_id in shift_ids:
            shift = session.get(Shift, shift_id)
            if shift is None or not shift.channel_id or not shift.message_ts or shift.ends_at <= now:
                continue
            owe_redraw(
                session,
                team_id=shift.team_id,
                kind=DeliveryKind.SHIFT_REDRAW,
                target=shift.channel_id,
                key=str(shift_id),
                now=now,
                error="process_exited",
                expires_at=shift.ends_at,
                back_off=False,  # nothing refused it: drawn at the scheduler's next tick
            )
            owed += 1
    return owed


def owe_redraws_left(deps: Deps) -> None:
    """`owe_pending_redraws` as a process ends (a web worker's exit, a one-off job's end):
    logged, never raised."""
    try:
        owed = owe_pending_redraws(deps)
    except Exception:
        logger.exception("recording the redraws left undrawn at exit failed")
        return
    if owed:
        logger.info("%s channel-post redraws left undrawn at exit are owed, for the scheduler", owed)


def retry_shift_redraw(deps: Deps, client: WebClient, delivery_id: int, now: datetime) -> Delivered | None:
    """A scheduler tick's retry of an owed redraw: the shift's posts as they stand now (None when
    someone else has it, it is not due, or its drawing waits its turn here and stays owed until
    drawn); given up once the shift is over."""
    with deps.session() as session:
        row = session.get(Delivery, delivery_id, populate_existing=True)
        if row is None:
            return None
        target, key = row.target, row.key
        if key.isdigit() and deps.redraws.waiting(int(key)):
            return None  # its drawing waits its turn here, and settles it once drawn
        claim = take(session, row, now)
        if claim is None:
            return None
        shift = session.get(Shift, int(key)) if key.isdigit() else None
        if shift is None or shift.id is None or shift.ends_at <= now:
            drop_delivery(session, claim=claim)
            return Delivered(Fate.FAILED, problem=NO_LONGER_USEFUL)
        shift_id, team_id = shift.id, shift.team_id
    redrawn = redraw_shift(deps, client, shift_id, lane=team_id)
    if redrawn.missed:
        missed = next((m for m in redrawn.missed if not m.permanent), redrawn.missed[0])
        return failed_try(deps, claim, missed.error, missed.problem, permanent=missed.permanent)
    if not redrawn.drew:
        # Left to a drawing waiting its turn in the workspace here, which settles it once drawn;
        # due again a while after that turn, should the process stop before it.
        turn = timedelta(seconds=deps.redraws.due_in(shift_id))
        with deps.session() as session:
            leave_owed(session, claim=claim, retry_at=deps.clock() + turn + FIRST_RETRY)
        return None
    with deps.session() as session:
        finish_redraw(session, claim=claim, now=deps.clock())
    return Delivered(Fate.SENT, channel=target)


@dataclass(frozen=True)
class Missed:
    """A redraw Slack did not take: the message's channel, Slack's answer (its error code, or
    `no_answer`), in words, and whether retrying cannot cure it."""

    channel: str
    error: str
    problem: str
    permanent: bool


def missed_redraw(channel: str, error: Exception) -> Missed:
    if isinstance(error, SlackApiError):
        code = str(error.response.get("error"))
        problem = f"Slack answered {error.response.status_code} {code}"
        return Missed(channel, code, problem, code in PERMANENT_ERRORS)
    # A timeout or dropped connection: the update may have landed; drawing again is harmless.
    return Missed(channel, "no_answer", f"Slack did not answer ({error.__class__.__name__})", False)


@dataclass
class Redrawn:
    """What redrawing a shift's messages came to: whether this call drew its post (rather than
    leaving it to a redraw already under way in this process), when it last read the shift to
    draw it, and the redraws Slack did not take."""

    drew: bool = False
    drawn_at: datetime | None = None
    missed: list[Missed] = field(default_factory=list)
    # Read with the shift, as it stood when drawn: whether a redraw was owed, when it ends.
    owed_before: bool = False
    ends_at: datetime | None = None
    # The workspace that owns the shift (its posts, its owed redraws).
    team_id: str | None = None


def redraw_shift(deps: Deps, client: WebClient, shift_id: int, *, lane: str) -> Redrawn:
    """Draw the shift's channel post (coalesced per shift, paced in `lane`, its workspace) and
    its at-risk posts as they stand, for the caller to answer for. When the coalescer leaves
    the drawing to a redraw under way or scheduled for later, that one answers for its own
    outcome (`_draw_and_settle`)."""
    redrawn = Redrawn()
    caller = threading.get_ident()

    def once() -> bool:
        if threading.get_ident() != caller:  # drawn later, on the coalescer's timer
            return _draw_and_settle(deps, client, shift_id)
        return _draw_shift(deps, client, shift_id, redrawn)

    redrawn.drew = deps.redraws.run(shift_id, once, lane=lane)
    return redrawn


def redraw_moved_at_risk_posts(deps: Deps, client: WebClient, shift_id: int, version: int) -> None:
    """After a shift moved: the at-risk posts about its old time say so and offer no cover for it
    (the reminders job sends new ones for the new time). Best effort: they are no longer owed."""
    with deps.read_session() as session:
        shift = get_shift(session, shift_id, team_id=None)
        key = moved_key(shift_id, version)
        posts = messages_sent(session, team_id=shift.team_id, kind=DeliveryKind.AT_RISK, key=key)
        reads = _readers(session, shift.team_id, shift.state, posts) if posts else {}
    if posts:
        drawn = {code: build_at_risk_settled(shift, language(code)) for code in set(reads.values())}
        _update_at_risk_posts(client, shift_id, [(c, ts, drawn[reads[t]]) for t, c, ts in posts], [])


def _readers(session: Session, team_id: str, state: str, posts: list[tuple[str, str, str]]) -> dict[str, str]:
    """The language each at-risk post's reader reads (`posts` are (target, channel, ts))."""
    return readers_languages(
        session, team_id=team_id, state=state, targets=sorted({target for target, _c, _ts in posts})
    )


def _update_at_risk_posts(
    client: WebClient, shift_id: int, posts: list[tuple[str, str, Reply]], missed: list[Missed]
) -> None:
    """Each at-risk post (channel, ts) changed in place to its reply (drawn in its reader's language)."""
    for channel, ts, reply in posts:
        try:
            client.chat_update(channel=channel, ts=ts, text=reply.text, blocks=reply.blocks)
        except Exception as error:
            missed.append(missed_redraw(channel, error))
            logger.warning("updating the at-risk post of shift #%s failed: %s", shift_id, missed[-1].problem)


def _draw_shift(deps: Deps, client: WebClient, shift_id: int, redrawn: Redrawn) -> bool:
    """Draw the shift's channel post and its at-risk posts as they stand, noting in `redrawn`
    what Slack did not take; whether the post's version is still the one drawn (True too when
    Slack did not take it: redrawing again now would not help). One read before drawing (the
    shift, its fill and version, whether it has at-risk posts and a redraw owed, in one
    statement; the at-risk posts and who is on the shift only when it has some), one after."""
    key = str(shift_id)
    redrawn.drawn_at = deps.clock()
    with deps.read_session() as session:
        found = shift_to_draw(session, shift_id=shift_id)
        shift, version = found.shift, found.version
        at_risk = (
            messages_sent(session, team_id=shift.team_id, kind=DeliveryKind.AT_RISK, key=key)
            if found.at_risk
            else []
        )
        people = shift_people(session, shift_id=shift_id) if at_risk else None
        reads = _readers(session, shift.team_id, shift.state, at_risk) if at_risk else {}
        redrawn.owed_before = found.owed
    redrawn.ends_at, redrawn.team_id = shift.ends_at, shift.team_id
    drawn = False
    if shift.channel_id and shift.message_ts:
        reply = build_shift_post(shift, language(found.language))
        try:
            client.chat_update(
                channel=shift.channel_id, ts=shift.message_ts, text=reply.text, blocks=reply.blocks
            )
            drawn = True
        except Exception as error:
            redrawn.missed.append(missed_redraw(shift.channel_id, error))
            logger.warning("updating the post of shift #%s failed: %s", shift_id, redrawn.missed[-1].problem)
    if people is not None or (at_risk and shift.cancelled):
        codes = set(reads.values())
        replies = (
            {code: build_at_risk_post(people, language(code)) for code in codes}  # still short, or covered
            if people is not None
            else {code: build_at_risk_settled(shift, language(code)) for code in codes}  # no cover any more
        )
        posts = [(channel, ts, replies[reads[target]]) for target, channel, ts in at_risk]
        _update_at_risk_posts(client, shift_id, posts, redrawn.missed)
        deps.redraws.charge(shift.team_id, len(posts))
    if not drawn:
        return True
    with deps.read_session() as session:
        return shift_version(session, shift_id) == version


def shift_post(session: Session, shift: ShiftView, team_id: str | None = None) -> Reply:
    """The shift's channel post in its state's language (as workspace `team_id` set it; by default
    the shift's own), as it stands."""
    code = state_language(session, team_id=team_id or shift.team_id, code=shift.state)
    return build_shift_post(shift, language(code))


def send_dm(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    kind: DeliveryKind,
    user_id: str,
    key: str,
    reply: Reply,
    expires_at: datetime | None = None,
    shift_id: int | None = None,
) -> Delivered:
    """A direct message owed to `user_id` of workspace `team_id`, sent once per (kind, key);
    retried by the scheduler while it is still useful when Slack does not take it now."""
    return deliver_once(
        deps,
        client,
        team_id=team_id,
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


def after_claim(deps: Deps, client: WebClient, result: ClaimResult) -> None:
    """Bring the shift's channel post up to date, and tell its host who joined."""
    if result.already:
        return
    refresh_shift_post(deps, client, result.signup.shift.id, seen=result.signup.shift)
    signup = result.signup
    host = signup.shift.host_id
    if host is not None and host != signup.user_id:
        host_lang = dm_lang(deps, Member(signup.shift.team_id, host))
        names = names_for(deps, signup.shift.team_id, [Member(signup.team_id, signup.user_id)], host_lang)
        news = replace(result, signup=replace(signup, shift=_as_owner(signup.shift)))
        send_dm(
            deps,
            client,
            team_id=signup.shift.team_id,
            kind=DeliveryKind.HOST_NEWS,
            user_id=host,
            key=f"claim:{event_key(signup.shift.id, signup.id, deps.clock())}",
            reply=build_claim_news(news, host_lang, names),
            expires_at=signup.shift.starts_at,
            shift_id=signup.shift.id,
        )


def _as_owner(shift: ShiftView) -> ShiftView:
    """The shift as its own workspace shows it (a result drawn for a claimer of another one)."""
    return replace(shift, owner=None, host_name="")


def for_recipient(deps: Deps, signup: SignupView) -> SignupView:
    """The signup with its shift as the volunteer's own workspace shows it: the shift's own
    people by mention there, by name and organization in another organization's workspace."""
    shift = _as_owner(signup.shift)
    if signup.team_id != shift.team_id:
        with deps.read_session() as session:
            shift = seen_from(session, shift, signup.team_id)
    return replace(signup, shift=shift)


def names_for(deps: Deps, team_id: str, people: list[Member], lang: Lang) -> dict[str, str]:
    """How a message to workspace `team_id` names those of `people` who are of another
    organization (name and organization); its own are mentioned."""
    foreign = [p for p in people if p.team_id != team_id]
    if not foreign:
        return {}
    with deps.read_session() as session:
        orgs = org_names(session, sorted({p.team_id for p in foreign}))
        return {
            p.user_id: someone(
                display_names(session, team_id=p.team_id, user_ids=[p.user_id]).get(p.user_id, ""),
                p.user_id,
                orgs.get(p.team_id, p.team_id),
                lang,
            )
            for p in foreign
        }


def dm_lang(deps: Deps, who: Member) -> Lang:
    """The language a DM to `who` is written in."""
    with deps.read_session() as session:
        return language(language_of(session, who))


# A place given up this close to the start is news for the state's leads.
LATE_RELEASE = timedelta(hours=24)


def after_release(deps: Deps, client: WebClient, result: ReleaseResult) -> None:
    """Tell whoever moved up from the waitlist, bring the shift's channel post up to date, and,
    when a volunteer released it themselves, tell its host and (inside 24 hours) the leads."""
    if not result.changed:
        return
    if result.signup.status == SignupStatus.RELEASED:
        _tell_of_release(deps, client, result)
    promoted = result.promoted
    if promoted is not None:
        send_dm(
            deps,
            client,
            team_id=promoted.team_id,
            kind=DeliveryKind.PROMOTED,
            user_id=promoted.user_id,
            key=event_key(promoted.shift.id, promoted.id, deps.clock()),
            reply=build_promoted_dm(
                for_recipient(deps, promoted), dm_lang(deps, Member(promoted.team_id, promoted.user_id))
            ),
            expires_at=promoted.shift.starts_at,
            shift_id=promoted.shift.id,
        )
    refresh_shift_post(deps, client, result.signup.shift.id, seen=result.signup.shift)


def _tell_of_release(deps: Deps, client: WebClient, result: ReleaseResult) -> None:
    # Told to the shift's own workspace: its post as that workspace shows it.
    result = replace(result, signup=replace(result.signup, shift=_as_owner(result.signup.shift)))
    signup, shift, now = result.signup, result.signup.shift, deps.clock()
    people = [Member(signup.team_id, signup.user_id)]
    if result.promoted is not None:
        people.append(Member(result.promoted.team_id, result.promoted.user_id))
    leads: list[str] = []
    if result.held_place and shift.starts_at - now <= LATE_RELEASE:
        with deps.read_session() as session:
            targets = leads_targets(session, team_id=shift.team_id, code=shift.state)
            leads = [t for t in targets if t != signup.user_id]
            langs = leads_languages(session, team_id=shift.team_id, state=shift.state, targets=leads)
        for target in leads:
            lang = language(langs[target])
            reply = build_late_release(result, now, lang, names_for(deps, shift.team_id, people, lang))
            deliver_once(
                deps,
                client,
                team_id=shift.team_id,
                kind=DeliveryKind.LEADS,
                channel=target,
                key=f"release:{event_key(shift.id, signup.id, now)}",
                build=constant(reply),
                expires_at=shift.starts_at,
                shift_id=shift.id,
            )
    host = shift.host_id
    if host is not None and host != signup.user_id and host not in leads:
        host_lang = dm_lang(deps, Member(shift.team_id, host))
        send_dm(
            deps,
            client,
            team_id=shift.team_id,
            kind=DeliveryKind.HOST_NEWS,
            user_id=host,
            key=f"release:{event_key(shift.id, signup.id, now)}",
            reply=build_release_news(result, host_lang, names_for(deps, shift.team_id, people, host_lang)),
            expires_at=shift.starts_at,
            shift_id=shift.id,
        )
