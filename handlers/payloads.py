"""Reading what Slack sends back: button values, view ids, form fields.

A request is signed by Slack, but the values in it are whatever a client put there: a
button value Turnout never drew, a select option that was not offered, a number field
holding `²`. Each kind of value has one reader here; every reader either returns a value
Turnout can use as it is, or raises a `TurnoutError` fit to show the person.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from typing import Any

from bot.blocks import actions as act
from bot.i18n import N_
from bot.services.errors import TurnoutError, UsageError

STALE_BUTTON = N_("I can't read that button. Run the command again for a fresh list.")
# Ids are PostgreSQL integers; anything longer than this is not one of ours.
MAX_ID = 2**31 - 1
WHOLE = re.compile(r"[0-9]{1,9}")
# How far from today a typed date may be: past data is kept about a year, shifts are planned
# at most about a year ahead; anything further is a typo (and past the calendar's edges).
DAYS_BACK = 3 * 366
DAYS_AHEAD = 3 * 366


def whole_number(text: object) -> int | None:
    """A whole number written in ASCII digits (at most nine), else None: `²`, `1e3`, `٣` are not."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    return int(text) if WHOLE.fullmatch(text) else None


def record_id(text: object) -> int | None:
    """A database id (1 .. 2**31-1) written in ASCII digits, else None."""
    number = whole_number(text)
    return number if number is not None and 0 < number <= MAX_ID else None


def button_ref(value: object, stale: str = STALE_BUTTON) -> tuple[int, str]:
    """(id, surface) from a `REF|SURFACE` button value; a refusal for anything Turnout did not draw."""
    if not isinstance(value, str):
        raise TurnoutError(stale)
    ref, _, _surface = value.partition("|")
    if record_id(ref) is None or ref != ref.strip():
        raise TurnoutError(stale)
    try:
        return act.read_value(value)
    except ValueError:
        raise TurnoutError(stale) from None


def bare_id(value: object, stale: str = STALE_BUTTON) -> int:
    """A shift id from a button that carries only the id (the App Home, "Log contacts")."""
    number = record_id(value)
    if number is None or value != str(number):
        raise TurnoutError(stale)
    return number


def submission_key(user_id: str, view_id: object) -> str:
    """The idempotency key of a form submission: who submitted which view, hashed to 64 characters.

    A view id alone is not enough: it is only as trustworthy as the client that sent it, and
    two people must never share a key (the second would be told the first one's numbers)."""
    return hashlib.sha256(f"{user_id}:{view_id}".encode()).hexdigest()


def field(values: object, block: str) -> dict[str, Any]:
    """The state of one input (`block` holding an element with the same action id), or {}."""
    if not isinstance(values, dict):
        return {}
    block_values = values.get(block)
    element = block_values.get(block) if isinstance(block_values, dict) else None
    return element if isinstance(element, dict) else {}


def text_value(values: object, block: str) -> str:
    """A text input's value; "" when absent or not text."""
    raw = field(values, block).get("value")
    return raw if isinstance(raw, str) else ""


def picked(values: object, block: str, key: str = "selected_option") -> str:
    """A select's chosen value (or a date or time picker's, with `key`); "" when absent or odd."""
    chosen = field(values, block).get(key)
    if isinstance(chosen, dict):
        chosen = chosen.get("value")
    return chosen if isinstance(chosen, str) else ""


def offered(view: dict[str, Any], block: str) -> set[str]:
    """The option values the view's `block` offered, as Slack sent the view back."""
    for item in view.get("blocks") or []:
        if isinstance(item, dict) and item.get("block_id") == block:
            element = item.get("element") or item.get("accessory") or {}
            return {
                str(option.get("value"))
                for option in (element.get("options") or [])
                if isinstance(option, dict)
            }
    return set()


def check_day(day: date, today: date, usage: str) -> date:
    """A date near enough to today to mean something; far ones are refused with the range."""
    first, last = today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)
    if not first <= day <= last:
        raise UsageError(
            N_("{day} is too far away. Pick a date from {first} to {last}."),
            usage,
            day=day.isoformat(),
            first=first.isoformat(),
            last=last.isoformat(),
        )
    return day
