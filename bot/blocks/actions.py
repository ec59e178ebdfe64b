"""Action and callback ids, and the button values that carry them.

A button's value is `REF|SURFACE`: the shift or signup it acts on, and where it was
shown (`post`: the shift's channel post; `card`: a single signup; `mine`: /myshifts;
`list:ARGS`: a /shifts listing with its filters; `roster`: a coordinator's roster), so a
click can redraw that surface. A surface showing a later page of a long list carries its
offset after an `@` (`list:IA week *@10`, `mine@20`, `roster@10`), so the redraw stays on
that page. The paging buttons (`shifts.page`, `myshifts.page`, `roster.page`) carry the
surface of the page they open.
"""

from __future__ import annotations

CLAIM = "shift.claim"
JOIN_WAITLIST = "shift.waitlist"
CONFIRM = "signup.confirm"
RELEASE = "signup.release"
ATTENDED = "roster.attended"
NO_SHOW = "roster.no_show"
REMOVE = "roster.remove"
# Accept a claim the no-show policy held (on a roster, or on the notice to the host or leads).
ACCEPT = "roster.accept"

LOG_FOR_SHIFT = "log.for_shift"

SHIFT_FORM = "shift.form"

# A page turner's action id is its family's (Next), or with PREVIOUS appended (`shifts.page.previous`).
PREVIOUS = "previous"
SHIFTS_PAGE = "shifts.page"
MYSHIFTS_PAGE = "myshifts.page"
ROSTER_PAGE = "roster.page"
PEOPLE_PAGE = "people.page"
# Opens one segment of `/turnout people STATE` (value `STATE:SEGMENT`).
PEOPLE_SEGMENT = "people.segment"
CANCEL_SHIFT = "shift.cancel"
# Editing: the form `shift edit ID` opens, and the button that cancels the rest of a series.
EDIT_FORM = "shift.edit_form"
CANCEL_SERIES = "shift.cancel_series"

# Hosting: the /host form, a proposal's buttons (on its copies for the leads and on
# `/turnout proposals`), the form asking why it is declined, and paging the proposals.
HOST_FORM = "host.form"
APPROVE = "proposal.approve"
DECLINE = "proposal.decline"
DECLINE_FORM = "proposal.decline_form"
PROPOSALS_PAGE = "proposals.page"

# The App Home tab has no response_url, so its buttons are its own and redraw the tab.
HOME_CLAIM = "home.claim"
HOME_CONFIRM = "home.confirm"
HOME_RELEASE = "home.release"
HOME_LOG = "home.log"
HOME_FIND = "home.find"

POST, CARD, MINE, LIST, ROSTER = "post", "card", "mine", "list", "roster"
# A proposal's copy sent to the leads (`proposal`), or `/turnout proposals` for one state or
# all the caller's (`proposals:IA`, `proposals:*`).
PROPOSAL, PROPOSALS = "proposal", "proposals"
# `/turnout people`'s surface: `people:STATE:SEGMENT`, paged like the others.
PEOPLE = "people"
# No list is this long; a larger offset in a button value was not made by Turnout.
MAX_OFFSET = 100_000


def button_value(ref: int, surface: str) -> str:
    return f"{ref}|{surface}"[:2000]


def read_value(value: str) -> tuple[int, str]:
    """(ref, surface) from a button value; raises ValueError on anything else."""
    ref, _, surface = value.partition("|")
    number = int(ref)
    if not 0 < number < 2**31:
        raise ValueError(f"not an id: {ref[:20]!r}")
    return number, surface or CARD


def list_surface(args: str) -> str:
    return f"{LIST}:{args}"


def paged(surface: str, offset: int) -> str:
    """`surface` showing the page that starts at `offset` (the first page keeps the bare surface)."""
    return f"{surface}@{offset}" if offset else surface


def read_page(surface: str) -> tuple[str, int]:
    """(surface, offset) from a paged surface; raises ValueError on anything Turnout did not write."""
    base, at, offset = surface.rpartition("@")
    if not at:
        return surface, 0
    if not offset.isdigit() or int(offset) > MAX_OFFSET:
        raise ValueError(f"not a page offset: {offset[:20]!r}")
    return base, int(offset)


def page_action(family: str, direction: str) -> str:
    """The action id of one direction of a page turner (Next keeps the family's own id)."""
    return f"{family}.{direction}"


def proposals_surface(state: str | None) -> str:
    return f"{PROPOSALS}:{state or '*'}"


def cancel_value(shift_id: int, reason: str) -> str:
    return f"{shift_id}|{reason}"[:2000]
