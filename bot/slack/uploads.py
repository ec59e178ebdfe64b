"""The weekly chart: the PNG that follows each weekly digest, uploaded once.

It is a delivery like any message (`weekly_chart`, keyed like its digest: state and ISO week,
to the state's leads channel or to a coordinator), recorded with the digest and worth sending as long as the digest is. It
goes out once its digest has landed (never before it, never without it: a digest given up
takes its chart with it), and a try Slack did not take is retried by the scheduler with the
same backoff. A retry draws the week's chart from the numbers as they stand then.

Exactly once. Slack has no idempotency key for uploads, and a file carries no message
metadata. An upload is three calls (`files.getUploadURLExternal`, the bytes, then
`files.completeUploadExternal`, which shares the file in the DM); a file never completed is
never shown. So a try whose outcome is unknown (no answer to the last call, a dropped
connection, a process that died holding the claim) may have shared the file, or not. Before
trying again, the DM's recent history is read for a message sharing a file with the chart's
name (`ia-2026-W47.png`: one name per state and week, and nothing else Turnout sends carries
it), and one found completes the delivery instead of a second upload. What this cannot see:
Slack shares a completed file asynchronously, so a file whose share shows up in history only
after the retry reads it (a retry comes at least about 25 seconds later, or five minutes after
a crash) would be uploaded twice. The same holds, and is accepted, for messages.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks.charts import weekly_chart
from bot.deps import Deps
from bot.i18n import ENGLISH, Lang, language
from bot.models import Delivery, DeliveryKind, DeliveryStatus
from bot.services.deliveries import (
    Claim,
    complete_delivery,
    drop_delivery,
    find_delivery,
    record_delivery,
    take,
)
from bot.services.digests import weekly_digest
from bot.slack.delivery import Delivered, Fate, failed_try, find_in_history, standing

logger = logging.getLogger(__name__)
DIGEST_NOT_SENT = "its digest was not sent"


def weekly_key(state: str, last: date) -> str:
    """The weekly digest's key (and its chart's): `IA:2026-W47`, the ISO week of its last day."""
    week = last.isocalendar()
    return f"{state}:{week.year}-W{week.week:02d}"


def chart_filename(key: str) -> str:
    """`ia-2026-W47.png`: the chart's name, and how an upload of it is found in history."""
    state, _, week = key.partition(":")
    return f"{state.lower()}-{week}.png"


def deliver_chart(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    state: str,
    last: date,
    title: str,
    expires_at: datetime,
    lang: Lang = ENGLISH,
    draw: Callable[[], bytes] | None = None,
) -> Delivered:
    """Record the chart of `state`'s week ending `last` as owed to `user_id` and, if its digest
    has landed, upload it now (`draw` draws it; by default from the numbers as they stand), its
    labels in `lang`, the language of its digest (a retry draws it in the same one)."""
    key = weekly_key(state, last)
    payload = json.dumps({"state": state, "last": last.isoformat(), "title": title, "lang": lang.code})
    now = deps.clock()
    with deps.session() as session:
        row = record_delivery(
            session,
            team_id=team_id,
            kind=DeliveryKind.WEEKLY_CHART,
            target=user_id,
            key=key,
            now=now,
            payload=payload,
            expires_at=expires_at,
        )
        claim = (
            take(session, row, now)
            if digest_status(session, team_id, user_id, key) == DeliveryStatus.SENT
            else None
        )
        if claim is None:
            return standing(session, team_id=team_id, kind=DeliveryKind.WEEKLY_CHART, target=user_id, key=key)
    return attempt_upload(
        deps,
        client,
        claim,
        user_id=user_id,
        key=key,
        title=title,
        draw=draw or chart_drawer(deps, team_id, state, last, lang),
    )


def digest_status(session: Session, team_id: str, user_id: str, key: str) -> DeliveryStatus | None:
    """Where the weekly digest a chart follows stands (None: never recorded)."""
    digest = find_delivery(session, team_id=team_id, kind=DeliveryKind.WEEKLY, target=user_id, key=key)
    return None if digest is None else digest.status


def chart_drawer(
    deps: Deps, team_id: str, state: str, last: date, lang: Lang = ENGLISH
) -> Callable[[], bytes]:
    def draw() -> bytes:
        with deps.read_session() as session:
            digest = weekly_digest(session, team_id=team_id, state=state, last=last)
        return weekly_chart(digest, lang)

    return draw


def retry_chart(deps: Deps, client: WebClient, delivery_id: int, now: datetime) -> Delivered | None:
    """A scheduler tick's retry of an owed chart: None while its digest is still owed (it waits,
    unclaimed) or someone else has it, given up with its digest, else one try."""
    with deps.session() as session:
        row = session.get(Delivery, delivery_id, populate_existing=True)
        if row is None:
            return None
        status = digest_status(session, row.team_id, row.target, row.key)
        if status in (DeliveryStatus.RETRY, DeliveryStatus.CLAIMED):
            return None
        team_id, target, key = row.team_id, row.target, row.key
        details: dict[str, Any] = json.loads(row.payload or "{}")
        claim = take(session, row, now)
        if claim is None:
            return None
        if status != DeliveryStatus.SENT or not details.get("state") or not details.get("last"):
            drop_delivery(session, claim=claim, why=DIGEST_NOT_SENT)
            return Delivered(Fate.FAILED, problem=DIGEST_NOT_SENT)
    draw = chart_drawer(
        deps,
        team_id,
        str(details["state"]),
        date.fromisoformat(str(details["last"])),
        language(str(details.get("lang") or "")),  # recorded before charts had a language: English
    )
    return attempt_upload(
        deps, client, claim, user_id=target, key=key, title=str(details.get("title") or ""), draw=draw
    )


def attempt_upload(
    deps: Deps,
    client: WebClient,
    claim: Claim,
    *,
    user_id: str,
    key: str,
    title: str,
    draw: Callable[[], bytes],
) -> Delivered:
    """One try at a claimed chart: first, if an earlier try may have shared it, look for it."""
    filename = chart_filename(key)
    content = draw()
    try:
        found = find_upload(client, user_id, filename, since=claim.since) if claim.attempts > 1 else None
        if found is None:
            channel = user_id  # the leads channel, or a coordinator: then the app's DM with them
            if user_id.startswith(("U", "W")):
                channel = str(client.conversations_open(users=user_id)["channel"]["id"])
            response = client.files_upload_v2(channel=channel, file=content, filename=filename, title=title)
            files = response.get("files") or [response.get("file") or {}]
            found = (channel, str(files[0].get("id") or ""))
    except SlackApiError as error:
        code = str(error.response.get("error"))
        problem = f"Slack answered {error.response.status_code} {code}"
        logger.warning("uploading the weekly chart %s to %s failed: %s", filename, user_id, problem)
        return failed_try(deps, claim, code, problem)
    except Exception as error:  # a timeout or dropped connection: it may or may not be shared
        problem = f"Slack did not answer ({error.__class__.__name__})"
        logger.warning("uploading the weekly chart %s to %s: %s", filename, user_id, problem)
        return failed_try(deps, claim, "no_answer", problem, permanent=False)
    channel, file_id = found
    with deps.session() as session:
        # A file has no message ts of its own to keep: the delivery keeps the file's id.
        complete_delivery(session, claim=claim, channel_id=channel, message_ts=file_id[:32], now=deps.clock())
    return Delivered(Fate.SENT, file_id, channel)


def find_upload(client: WebClient, user_id: str, filename: str, *, since: datetime) -> tuple[str, str] | None:
    """(channel, file id) of a file named `filename` shared in the DM with `user_id`, if one was."""

    def shares(message: dict[str, Any]) -> bool:
        return any(item.get("name") == filename for item in message.get("files") or [])

    found = find_in_history(client, user_id, since=since, matches=shares)
    if found is None:
        return None
    channel, message = found
    file_id = next(str(item.get("id") or "") for item in message["files"] if item.get("name") == filename)
    return channel, file_id
