"""Opening forms (modals) that more than one surface offers."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks.contacts import build_log_form
from bot.deps import Deps
from bot.services.contacts import recent_shifts
from bot.services.people import ensure_volunteer
from bot.services.states import state_timezone


def open_log_form(
    deps: Deps, client: WebClient, user_id: str, channel_id: str, trigger_id: str, shift_id: int | None = None
) -> None:
    """The log form, listing the volunteer's shifts of the past week (`shift_id` preselected)."""
    with deps.session() as session:
        ensure_volunteer(session, user_id=user_id, now=deps.clock())
        shifts = recent_shifts(session, user_id=user_id, now=deps.clock())
        zones = {state: state_timezone(session, state) for _, state, _ in shifts}
    view = build_log_form(shifts, zones, channel_id=channel_id, shift_id=shift_id)
    client.views_open(trigger_id=trigger_id, view=view)
