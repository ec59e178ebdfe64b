"""Block builders as plain functions: what a person sees, given the data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.blocks import actions as act
from bot.blocks.common import Reply
from bot.blocks.contacts import progress_bar
from bot.blocks.shifts import build_roster, build_shift_post
from bot.blocks.stats import build_leaderboard
from bot.i18n import ENGLISH
from bot.localslack.reading import block_texts
from bot.models import ShiftStatus, SignupStatus
from bot.services.leaderboards import Leaderboard, Standing
from bot.services.shifts import Roster, RosterEntry, ShiftView
from tests.factories import TEAM

SHIFT = ShiftView(
    team_id=TEAM,
    id=7,
    state="IA",
    kind="canvass",
    starts_at=datetime(2026, 11, 28, 16, 0, tzinfo=UTC),  # 10:00 in Des Moines
    ends_at=datetime(2026, 11, 28, 19, 0, tzinfo=UTC),
    timezone="America/Chicago",
    location="Des Moines HQ",
    notes="Bring water",
    capacity=5,
    held=3,
    waiting=0,
    status=ShiftStatus.OPEN,
)


def seen(reply: Reply) -> str:
    return "\n".join(block_texts(reply.blocks))


def button_actions(reply: Reply) -> list[tuple[str, str]]:
    """(label, action id) of every button, in reading order."""
    return [
        (element["text"]["text"], element["action_id"])
        for block in reply.blocks
        for element in [*block.get("elements", []), block.get("accessory") or {}]
        if element.get("type") == "button"
    ]


# ---------------------------------------------------------------- progress_bar


@pytest.mark.parametrize(
    ("value", "goal", "bar"),
    [
        (0, 100, "░░░░░░░░░░ 0%"),
        (50, 100, "▓▓▓▓▓░░░░░ 50%"),
        (99, 100, "▓▓▓▓▓▓▓▓▓░ 99%"),  # tenths are filled only once reached
        (100, 100, "▓▓▓▓▓▓▓▓▓▓ 100%"),
        (250, 100, "▓▓▓▓▓▓▓▓▓▓ 250%"),  # the bar stops at full, the percentage does not
        (7, 0, "░░░░░░░░░░ 0%"),  # no goal: an empty bar, not a division by zero
    ],
)
def test_progress_bar_fills_in_tenths_and_caps_at_full(value: int, goal: int, bar: str) -> None:
    assert progress_bar(value, goal) == bar


# ---------------------------------------------------------------- build_shift_post


def test_shift_post_shows_when_where_and_fill_in_local_time_with_a_claim_button() -> None:
    post = build_shift_post(SHIFT)
    text = seen(post)
    assert "#7 · Canvass" in text and "(IA)" in text
    assert "Sat Nov 28 · 10:00 AM–1:00 PM CST" in text
    assert "Des Moines HQ" in text and "Bring water" in text
    assert "3/5" in text and "full" not in text
    assert "Or type `/claim 7`." in text
    assert button_actions(post) == [("Claim", act.CLAIM)]
    assert post.text == "Shift #7 (canvass, IA): 3/5"


def test_a_full_shift_post_offers_the_waitlist() -> None:
    post = build_shift_post(replace(SHIFT, held=5, waiting=2))
    assert "5/5 · full · 2 on the waitlist" in seen(post)
    assert button_actions(post) == [("Join waitlist", act.JOIN_WAITLIST)]


def test_a_cancelled_shift_post_is_struck_through_with_no_buttons() -> None:
    post = build_shift_post(replace(SHIFT, status=ShiftStatus.CANCELLED))
    text = seen(post)
    assert "~" in text and "*Cancelled*" in text
    assert "/claim" not in text and button_actions(post) == []
    assert post.text == "Shift #7 (canvass, IA): cancelled"


# ---------------------------------------------------------------- build_roster


def entry(signup_id: int, user: str, status: str, position: int | None = None) -> RosterEntry:
    return RosterEntry(signup_id, user, user.lower(), status, position)


def test_an_empty_roster_says_so_and_when_attendance_opens() -> None:
    roster = build_roster(Roster(SHIFT, [], released=0, can_mark=False))
    text = seen(roster)
    assert "Roster for shift #7" in text
    assert "No one has signed up yet." in text
    assert "Attendance buttons appear an hour before the shift starts." in text
    assert button_actions(roster) == []


def test_roster_before_the_shift_offers_only_remove() -> None:
    roster = build_roster(
        Roster(
            SHIFT,
            [entry(1, "UANA", SignupStatus.CONFIRMED), entry(2, "UBEN", SignupStatus.WAITLISTED, 1)],
            released=1,
            can_mark=False,
        )
    )
    text = seen(roster)
    assert "<@UANA> — :large_green_circle: confirmed" in text
    assert "<@UBEN> — :hourglass_flowing_sand: waitlisted #1" in text
    assert "1 released or removed" in text
    assert button_actions(roster) == [("Remove", act.REMOVE), ("Remove", act.REMOVE)]


def test_roster_once_attendance_opens_marks_the_unmarked_and_offers_attended_and_no_show() -> None:
    roster = build_roster(
        Roster(
            SHIFT,
            [entry(1, "UANA", SignupStatus.CLAIMED), entry(2, "UBEN", SignupStatus.ATTENDED)],
            released=0,
            can_mark=True,
        )
    )
    text = seen(roster)
    assert "<@UANA> — :white_circle: claimed, not yet confirmed · _unmarked_" in text
    assert (
        "<@UBEN> — :white_check_mark: attended" in text
        and "UBEN> — :white_check_mark: attended ·" not in text
    )
    assert "Attendance buttons appear" not in text
    assert button_actions(roster) == [
        ("Attended", act.ATTENDED),
        ("No-show", act.NO_SHOW),
        ("Remove", act.REMOVE),
        ("Attended", act.ATTENDED),  # an attended mark can still be corrected
        ("No-show", act.NO_SHOW),
    ]


# ---------------------------------------------------------------- build_leaderboard


def board(rows: list[Standing], me: Standing | None, window: str = "week") -> Leaderboard:
    return Leaderboard("IA", window, None, datetime(2026, 11, 22).date(), rows, me)


ANA = Standing(1, "UANA", "ana", 1200, 80)
BEN = Standing(2, "UBEN", "ben", 40, 6)
CAM = Standing(2, "UCAM", "cam", 40, 5)
DEE = Standing(4, "UDEE", "dee", 12, 2)


def test_leaderboard_gives_medals_shares_ranks_and_groups_thousands() -> None:
    reply = build_leaderboard(board([ANA, BEN, CAM, DEE], me=BEN), ENGLISH)
    lines = seen(reply).splitlines()
    assert lines[0] == "Leaderboard: Iowa, this week"
    assert lines[1] == ":first_place_medal: ana — *1,200* contacts (80 conversations)"
    assert lines[2] == ":second_place_medal: ben — *40* contacts (6 conversations)"
    assert lines[3] == ":second_place_medal: cam — *40* contacts (5 conversations)"  # a tie shares the rank
    assert lines[4] == "*4.* dee — *12* contacts (2 conversations)"
    assert lines[5] == "You're #2. Keep going!"


def test_leaderboard_shows_your_place_below_the_board_or_how_to_get_on_it() -> None:
    below = build_leaderboard(board([ANA], me=Standing(14, "UVOL1", "you", 3, 0)), ENGLISH)
    assert seen(below).splitlines()[-1] == "You: #14 with 3 contacts"
    absent = build_leaderboard(board([ANA], me=None), ENGLISH)
    assert "You're not on this board yet" in seen(absent)


def test_an_empty_leaderboard_says_how_to_get_on_it() -> None:
    reply = build_leaderboard(board([], me=None, window="today"), ENGLISH)
    assert seen(reply) == "No contacts logged today in Iowa yet. `/log 10 doors` puts you on the board."
