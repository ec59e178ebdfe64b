"""The App Home tab: drawn when opened, and redrawn after each of its buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import actions as act
from bot.blocks.common import text_reply
from bot.blocks.home import build_home
from bot.blocks.refusals import refusal_text
from bot.blocks.shifts import claim_headline, confirm_headline, release_headline
from bot.deps import Deps
from bot.services.clock import local_date
from bot.services.errors import TurnoutError
from bot.services.people import Profile, personal_timezone
from bot.services.places import NATIONAL_TZ
from bot.services.shifts import claim_shift, confirm_signup, list_open_shifts, my_shifts_page, release_signup
from bot.services.states import default_state, state_timezone
from bot.services.stats import personal_stats, state_progress
from bot.slack.delivery import after_release, refresh_shift_post
from bot.slack.forms import open_log_form
from bot.slack.held_claims import after_claim
from handlers.common import acked_then, apology, enroll, profile_of
from handlers.payloads import bare_id

logger = logging.getLogger(__name__)

OPEN_SHIFTS_SHOWN = 3
OPEN_SHIFTS_FOUND = 10
# The tab shows the soonest few of a volunteer's shifts and points to /myshifts for the rest,
# so it stays far inside the 100 blocks Slack allows a view however busy the volunteer is.
MY_SHIFTS_SHOWN = 5


def handle_home_opened(event: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    if event.get("tab") == "home":
        user_id = str(event["user"])
        with answering_home(client, user_id):
            publish_home(deps, client, profile_of(deps, client, user_id))


def handle_home_click(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """Home buttons act, then redraw the tab with what happened (or why not) on top."""
    ack()
    action = body["actions"][0]
    user_id = body["user"]["id"]
    with answering_home(client, user_id):
        act_on_home(deps, client, action, user_id, body["trigger_id"])


def act_on_home(deps: Deps, client: WebClient, action: dict[str, Any], user_id: str, trigger_id: str) -> None:
    if action["action_id"] == act.HOME_LOG:
        return open_log_form(deps, client, user_id, "", trigger_id)
    profile = profile_of(deps, client, user_id)
    if action["action_id"] == act.HOME_FIND:
        return publish_home(deps, client, profile, find=True)
    now = deps.clock()
    claimed = None
    try:
        shift_id = bare_id(action.get("value"), STALE_HOME_BUTTON)
        with deps.session() as session:
            enroll(deps, session, profile)
            if action["action_id"] == act.HOME_CLAIM:
                claimed = claim_shift(session, shift_id=shift_id, user_id=user_id, now=now)
                note, released = claim_headline(claimed), None
            elif action["action_id"] == act.HOME_CONFIRM:
                note, released = (
                    confirm_headline(confirm_signup(session, shift_id=shift_id, user_id=user_id, now=now)),
                    None,
                )
            else:
                released = release_signup(session, shift_id=shift_id, user_id=user_id, now=now)
                note = release_headline(released)
    except TurnoutError as refusal:
        return publish_home(deps, client, profile, note=f":warning: {refusal_text(refusal)}")
    publish_home(deps, client, profile, note=note)
    if released is not None:
        after_release(deps, client, released)
    else:
        refresh_shift_post(deps, client, shift_id)
    if claimed is not None:
        after_claim(deps, client, claimed)


STALE_HOME_BUTTON = "I can't read that button. Here is your Home tab, fresh."


@contextmanager
def answering_home(client: WebClient, user_id: str) -> Iterator[None]:
    """The App Home has no response_url: when its request fails, the tab itself says why."""
    try:
        yield
    except Exception as error:
        logger.exception("the App Home could not be drawn")
        view = {"type": "home", "blocks": text_reply(f":warning: {apology(error)}").blocks}
        try:
            client.views_publish(user_id=user_id, view=view)
        except Exception:
            logger.exception("could not tell the user about the error")


def publish_home(
    deps: Deps, client: WebClient, profile: Profile, *, note: str | None = None, find: bool = False
) -> None:
    user_id, now = profile.user_id, deps.clock()
    with deps.session() as session:
        enroll(deps, session, profile)
        home = default_state(session, channel_id="", user_id=user_id)
        tz = personal_timezone(session, user_id=user_id, profile_tz=profile.timezone, fallback=NATIONAL_TZ)
        listing = list_open_shifts(
            session,
            user_id=user_id,
            state=home,
            window=None,
            kind=None,
            now=now,
            limit=OPEN_SHIFTS_FOUND if find else OPEN_SHIFTS_SHOWN,
            unclaimed=True,
        )
        mine = my_shifts_page(session, user_id=user_id, now=now, limit=MY_SHIFTS_SHOWN)
        view = build_home(
            signups=mine.signups,
            more_signups=mine.total - len(mine.signups),
            stats=personal_stats(session, user_id=user_id, today=local_date(now, tz)),
            progress=state_progress(session, home, local_date(now, state_timezone(session, home)))
            if home
            else None,
            open_shifts=listing.shifts,
            more_open=listing.total - len(listing.shifts),
            note=note,
        )
    try:
        client.views_publish(user_id=user_id, view=view)
    except (SlackApiError, OSError):
        # Publishing itself failed or timed out: the tab may have been published all the same
        # (a late answer), so no apology is drawn over it; opening the tab again redraws it.
        logger.exception("the App Home of %s could not be published", user_id)


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(**acked_then(partial(handle_home_opened, deps=deps), deps))
    for action_id in (act.HOME_CLAIM, act.HOME_CONFIRM, act.HOME_RELEASE, act.HOME_LOG, act.HOME_FIND):
        app.action(action_id)(**acked_then(partial(handle_home_click, deps=deps), deps))
