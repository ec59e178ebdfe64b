"""Opening forms (modals) that more than one surface offers.

A form opens only with the `trigger_id` of the click or command that asked for it, and a
trigger lives three seconds: a form Slack did not open cannot be opened later by a retry. The
person is told instead (`FormNotOpened`), and asking again opens it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.contacts import build_log_form
from bot.deps import Deps
from bot.i18n import N_, language
from bot.services.contacts import recent_shifts
from bot.services.errors import TurnoutError
from bot.services.members import Member
from bot.services.people import ensure_volunteer, language_of
from bot.services.states import state_timezone

logger = logging.getLogger(__name__)
NOT_OPENED = N_(
    "Slack didn't open the form (it is busy or having trouble). Nothing was changed; please try again."
)
TOO_LATE = N_("Slack didn't open the form in time. Nothing was changed; please try again.")
NO_ANSWER = N_("Slack was slow to answer, so the form may not have opened. If it didn't, please try again.")
# A trigger_id Slack no longer takes: asking again gets a new one.
EXPIRED_TRIGGER_ERRORS = frozenset({"expired_trigger_id", "exchanged_trigger_id"})


class FormNotOpened(TurnoutError):
    """Slack did not open a form (5xx, 429 past the client's retries, an expired trigger) or did
    not say whether it had (no answer). Nothing was written; the person can ask again."""


def open_form(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open `view`; FormNotOpened, saying so, when Slack did not (or may not have). A view Slack
    refuses as malformed is a defect and is raised as it is."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        status, code = error.response.status_code, str(error.response.get("error"))
        if code in EXPIRED_TRIGGER_ERRORS:
            logger.warning("Slack did not open a form: %s", code)
            raise FormNotOpened(TOO_LATE) from error
        if status == 429 or status >= 500:
            logger.warning("Slack did not open a form: %s %s", status, code)
            raise FormNotOpened(NOT_OPENED) from error
        raise
    except OSError as error:  # a timeout or dropped connection: the form may be open
        logger.warning("Slack did not answer opening a form: %s", error.__class__.__name__)
        raise FormNotOpened(NO_ANSWER) from error


def open_log_form(
    deps: Deps, client: WebClient, who: Member, channel_id: str, trigger_id: str, shift_id: int | None = None
) -> None:
    """The log form in the volunteer's language, listing their shifts of the past week
    (`shift_id` preselected)."""
    with deps.session() as session:
        ensure_volunteer(session, who=who, now=deps.clock())
        lang = language(language_of(session, who))
        shifts = recent_shifts(session, who=who, now=deps.clock())
        zones = {state: state_timezone(session, team_id=who.team_id, code=state) for _, state, _ in shifts}
    view = build_log_form(shifts, zones, lang, channel_id=channel_id, shift_id=shift_id)
    open_form(client, trigger_id, view)
