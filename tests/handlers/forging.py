"""Requests a client could send with Slack's signature but values no Turnout button or form carries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.blocks import actions as act
from bot.blocks.contacts import build_log_form
from bot.blocks.editing import build_edit_form
from bot.blocks.shifts import build_shift_form
from bot.i18n import ENGLISH
from bot.localslack.driver import Exchange
from bot.localslack.webapi import Message
from bot.models import ShiftStatus
from bot.services.places import PLACES
from bot.services.shifts import ShiftView
from tests.conftest import Bot
from tests.factories import TEAM

# Every button action id Turnout listens for.
BUTTON_ACTIONS = (
    act.CLAIM,
    act.JOIN_WAITLIST,
    act.CONFIRM,
    act.RELEASE,
    act.ATTENDED,
    act.NO_SHOW,
    act.REMOVE,
    act.LOG_FOR_SHIFT,
    act.SHIFTS_PAGE,
    act.MYSHIFTS_PAGE,
    act.ROSTER_PAGE,
    act.ACCEPT,
    act.PEOPLE_PAGE,
    act.PEOPLE_SEGMENT,
    act.HOME_CLAIM,
    act.HOME_CONFIRM,
    act.HOME_RELEASE,
    act.HOME_LOG,
    act.HOME_FIND,
    act.CANCEL_SERIES,
    act.APPROVE,
    act.DECLINE,
    act.PROPOSALS_PAGE,
)
HOME_ACTIONS = {act.HOME_CLAIM, act.HOME_CONFIRM, act.HOME_RELEASE, act.HOME_LOG, act.HOME_FIND}


def button(action_id: str, value: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": "Press"},
        "action_id": action_id,
        "value": value,
    }


def press(bot: Bot, action_id: str, value: str, *, user: str = "UVOL1", channel: str = "CRANDOM") -> Exchange:
    """Click a button carrying `value`: on the App Home for home buttons, else on an ephemeral message."""
    blocks = [{"type": "actions", "block_id": "forged", "elements": [button(action_id, value)]}]
    if action_id in HOME_ACTIONS:
        view = {"id": "VHOME", "type": "home", "blocks": blocks}
        return bot.driver.click_view(view, action_id, user=user, value=value)
    message = Message(
        channel, f"1700000000.{len(bot.slack.messages):06d}", "forged", blocks, ephemeral_to=user
    )
    with bot.slack.lock:
        # Shown to the user first, so a click that redraws it in place is seen.
        bot.slack.messages.append(message)
    return bot.driver.click(message, action_id, user=user, value=value)


def log_form(view_id: str = "VLOGFORM1", shifts: list[Any] | None = None) -> dict[str, Any]:
    """The log form as Slack sends it back; `shifts` are (id, state, starts_at) to list."""
    zones = {state: PLACES[state].timezone for _, state, _ in shifts or []}
    return {**build_log_form(shifts or [], zones, ENGLISH, channel_id=""), "id": view_id}


def shift_form(view_id: str = "VSHIFTFORM1", today: date = date(2026, 11, 22)) -> dict[str, Any]:
    return {**build_shift_form(["IA"], today), "id": view_id}


def edit_form(metadata: Any, view_id: str = "VEDITFORM1") -> dict[str, Any]:
    """The edit form as Slack sends it back, for whatever shift its metadata names."""
    shift = ShiftView(
        team_id=TEAM,
        id=1,
        state="IA",
        kind="canvass",
        starts_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 24, 19, 0, tzinfo=UTC),
        timezone="America/Chicago",
        location="HQ",
        notes="",
        capacity=2,
        held=1,
        waiting=0,
        status=ShiftStatus.OPEN,
    )
    view = build_edit_form(shift, date(2026, 11, 24), "10:00", "13:00")
    return {**view, "private_metadata": metadata, "id": view_id}


def edit_values(**fields: Any) -> dict[str, dict[str, Any]]:
    """Edit-form values as Slack sends them: pickers by their keys, the rest as `value`."""
    keys = {
        "date": "selected_date",
        "start": "selected_time",
        "end": "selected_time",
        "repeat_until": "selected_date",
    }
    return {name: {name: {"type": "x", keys.get(name, "value"): value}} for name, value in fields.items()}


def log_values(**counts: Any) -> dict[str, dict[str, Any]]:
    return {metric: {metric: {"type": "number_input", "value": value}} for metric, value in counts.items()}


def shift_values(
    *,
    state: Any = "IA",
    day: Any = "2026-11-28",
    start: Any = "10:00",
    end: Any = "13:00",
    kind: Any = "canvass",
    capacity: Any = "5",
    location: Any = "HQ",
    notes: Any = "",
) -> dict[str, dict[str, Any]]:
    return {
        "state": {"state": {"type": "static_select", "selected_option": {"value": state}}},
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "start": {"start": {"type": "timepicker", "selected_time": start}},
        "end": {"end": {"type": "timepicker", "selected_time": end}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": kind}}},
        "capacity": {"capacity": {"type": "number_input", "value": capacity}},
        "location": {"location": {"type": "plain_text_input", "value": location}},
        "notes": {"notes": {"type": "plain_text_input", "value": notes}},
    }


def submit(bot: Bot, view: dict[str, Any], values: dict[str, Any], *, user: str = "UVOL1") -> Exchange:
    return bot.driver.submit(view, values, user=user)


def answered(exchange: Exchange, bot: Bot, user: str) -> str:
    """Everything the person was told about this request: its replies, its ack, DMs, their App Home."""
    parts = [m.text + "\n" + "\n".join(_texts(m.blocks)) for m in exchange.replies]
    parts.append(exchange.body)
    parts += [m.text + "\n" + "\n".join(_texts(m.blocks)) for m in bot.slack.dms_to(user)]
    parts += [str(call.params.get("view", "")) for call in bot.slack.calls_to("views.publish")]
    return "\n".join(parts)


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    from bot.localslack.reading import block_texts

    return list(block_texts(blocks))
