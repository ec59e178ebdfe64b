"""The App Home tab: drawn when opened, and redrawn after each of its buttons."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import actions as act
from bot.blocks.common import text_reply
from bot.blocks.refusals import refusal_text
from bot.blocks.shifts import claim_headline, confirm_headline, release_headline
from bot.deps import Deps
from bot.i18n import ENGLISH, N_, Lang, language
from bot.services.errors import TurnoutError
from bot.services.members import Member
from bot.services.people import Profile
from bot.services.shifts import claim_shift, confirm_signup, release_signup
from bot.slack import home
from bot.slack.delivery import after_release, refresh_shift_post
from bot.slack.forms import FormNotOpened, open_log_form
from bot.slack.held_claims import after_claim
from bot.slack.home import draw_home
from handlers.common import acked_then, apology, caller_lang, enroll, member_of, profile_of
from handlers.payloads import bare_id

logger = logging.getLogger(__name__)


def handle_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    if event.get("tab") == "home":
        user_id = str(event["user"])
        who = member_of(deps, body, user_id)
        with answering_home(client, user_id, caller_lang(deps, who)):
            publish_home(deps, client, profile_of(deps, client, who))


def handle_home_click(ack: Ack, body: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    """Home buttons act, then redraw the tab with what happened (or why not) on top."""
    ack()
    action = body["actions"][0]
    user_id = body["user"]["id"]
    who = member_of(deps, body)
    with answering_home(client, user_id, caller_lang(deps, who)):
        act_on_home(deps, client, action, who, body["trigger_id"])


def act_on_home(deps: Deps, client: WebClient, action: dict[str, Any], who: Member, trigger_id: str) -> None:
    if action["action_id"] == act.HOME_LOG:
        try:
            return open_log_form(deps, client, who, "", trigger_id)
        except FormNotOpened as refusal:  # the tab has no response_url: it says so itself
            profile = profile_of(deps, client, who)
            note = refusal_text(refusal, language(profile.reads))
            return publish_home(deps, client, profile, note=f":warning: {note}")
    profile = profile_of(deps, client, who)
    lang = language(profile.reads)
    if action["action_id"] == act.HOME_FIND:
        return publish_home(deps, client, profile, find=True)
    now = deps.clock()
    claimed = None
    try:
        shift_id = bare_id(action.get("value"), STALE_HOME_BUTTON)
        with deps.session() as session:
            enroll(deps, session, profile)
            claimed = None
            if action["action_id"] == act.HOME_CLAIM:
                claimed = claim_shift(session, shift_id=shift_id, who=who, now=now)
                note, released = claim_headline(claimed, lang), None
            elif action["action_id"] == act.HOME_CONFIRM:
                note, released = (
                    confirm_headline(confirm_signup(session, shift_id=shift_id, who=who, now=now), lang),
                    None,
                )
            else:
                released = release_signup(session, shift_id=shift_id, who=who, now=now)
                note = release_headline(released, lang)
    except TurnoutError as refusal:
        return publish_home(deps, client, profile, note=f":warning: {refusal_text(refusal, lang)}")
    publish_home(deps, client, profile, note=note)
    if released is not None:
        after_release(deps, client, released)
    elif claimed is not None:
        after_claim(deps, client, claimed)
    else:
        refresh_shift_post(deps, client, shift_id)


STALE_HOME_BUTTON = N_("I can't read that button. Here is your Home tab, fresh.")


@contextmanager
def answering_home(client: WebClient, user_id: str, lang: Lang = ENGLISH) -> Iterator[None]:
    """The App Home has no response_url: when its request fails, the tab itself says why (in
    `lang`, the language of the person looking at it)."""
    try:
        yield
    except Exception as error:
        logger.exception("the App Home could not be drawn")
        view = {"type": "home", "blocks": text_reply(f":warning: {apology(error, lang)}").blocks}
        try:
            client.views_publish(user_id=user_id, view=view)
        except Exception:
            logger.exception("could not tell the user about the error")


def publish_home(
    deps: Deps, client: WebClient, profile: Profile, *, note: str | None = None, find: bool = False
) -> None:
    """Draw the person's tab and publish it; a publish Slack does not take is retried by the
    scheduler (`bot.slack.home`). No apology is drawn over it: a publish that timed out may have
    landed all the same."""
    now = deps.clock()
    who = profile.member
    with deps.session() as session:
        enroll(deps, session, profile)
        view = draw_home(
            session,
            who=who,
            now=now,
            profile_tz=profile.timezone,
            note=note,
            find=find,
            lang=language(profile.reads),
        )
    home.publish_home(deps, client, who, view, drawn_at=now)


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(**acked_then(partial(handle_home_opened, deps=deps), deps))
    for action_id in (act.HOME_CLAIM, act.HOME_CONFIRM, act.HOME_RELEASE, act.HOME_LOG, act.HOME_FIND):
        app.action(action_id)(**acked_then(partial(handle_home_click, deps=deps), deps))
