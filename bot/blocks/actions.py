"""Action and callback ids, and the button values that carry them.

A button's value is `REF|SURFACE`: the shift or signup it acts on, and where it was
shown (`post`: the shift's channel post; `card`: a single signup; `mine`: /myshifts;
`list:ARGS`: a /shifts listing with its filters), so a click can redraw that surface.
"""

from __future__ import annotations

CLAIM = "shift.claim"
JOIN_WAITLIST = "shift.waitlist"
CONFIRM = "signup.confirm"
RELEASE = "signup.release"
ATTENDED = "roster.attended"
NO_SHOW = "roster.no_show"
REMOVE = "roster.remove"

LOG_FOR_SHIFT = "log.for_shift"

SHIFT_FORM = "shift.form"

# The App Home tab has no response_url, so its buttons are its own and redraw the tab.
HOME_CLAIM = "home.claim"
HOME_CONFIRM = "home.confirm"
HOME_RELEASE = "home.release"
HOME_LOG = "home.log"
HOME_FIND = "home.find"

POST, CARD, MINE, LIST = "post", "card", "mine", "list"


def button_value(ref: int, surface: str) -> str:
    return f"{ref}|{surface}"[:2000]


def read_value(value: str) -> tuple[int, str]:
    """(ref, surface) from a button value; raises ValueError on anything else."""
    ref, _, surface = value.partition("|")
    return int(ref), surface or CARD


def list_surface(args: str) -> str:
    return f"{LIST}:{args}"
