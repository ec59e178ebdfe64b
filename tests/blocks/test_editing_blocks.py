"""The editing messages stay inside Slack's limits at their largest, and show typed text inert."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.blocks.editing import (
    SERIES_SHOWN,
    build_edit_form,
    build_edit_result,
    build_repeat_result,
    build_series_cancel_confirmation,
    build_series_cancelled_dm,
    build_shift_changed_dm,
    roster_add_line,
)
from bot.localslack.limits import MAX_MESSAGE_BLOCKS, check_blocks, check_view
from bot.localslack.reading import block_texts
from bot.models import ShiftStatus, SignupStatus
from bot.services.editing import MAX_REPEAT, EditResult, RepeatResult, RosterAdd, SeriesCancel
from bot.services.members import Member
from bot.services.shifts import ShiftView, SignupView
from tests.factories import TEAM

WORST = "&<@U1>" * 50  # 300 characters that each grow when escaped
SHIFT = ShiftView(
    team_id=TEAM,
    id=2_147_483_647,
    state="IA",
    kind="canvass",
    starts_at=datetime(2026, 11, 28, 16, 0, tzinfo=UTC),
    ends_at=datetime(2026, 11, 28, 19, 0, tzinfo=UTC),
    timezone="America/Chicago",
    location=WORST,
    notes=WORST * 3,
    capacity=500,
    held=499,
    waiting=40,
    status=ShiftStatus.OPEN,
)


def weeks(count: int) -> list[ShiftView]:
    return [
        replace(
            SHIFT,
            id=n,
            starts_at=SHIFT.starts_at + timedelta(weeks=n),
            ends_at=SHIFT.ends_at + timedelta(weeks=n),
        )
        for n in range(1, count + 1)
    ]


def test_what_changed_fits_and_shows_typed_text_inert() -> None:
    after = replace(SHIFT, location=WORST[::-1], starts_at=SHIFT.starts_at + timedelta(days=1))
    result = EditResult(SHIFT, after, ("date", "location", "notes"), [], [], 3)
    for reply in (
        build_edit_result(result),
        build_shift_changed_dm(result, SignupView(1, after, TEAM, "U1", SignupStatus.CLAIMED)),
    ):
        check_blocks(reply.blocks, MAX_MESSAGE_BLOCKS)
        seen = "\n".join(block_texts(reply.blocks))
        assert "<@U1>" not in seen and "&lt;@U1&gt;" in seen
        assert reply.text


def test_a_long_series_is_listed_with_how_many_more() -> None:
    shifts = weeks(MAX_REPEAT)
    repeat = build_repeat_result(RepeatResult(SHIFT, shifts, shifts[:3]), "CIOWA", pending=2)
    cancel = build_series_cancel_confirmation(
        SeriesCancel(SHIFT, shifts, {Member(TEAM, f"U{n}"): shifts for n in range(40)}, False), WORST
    )
    dm = build_series_cancelled_dm(shifts, WORST)
    for reply in (repeat, cancel, dm):
        check_blocks(reply.blocks, MAX_MESSAGE_BLOCKS)
        seen = "\n".join(block_texts(reply.blocks))
        assert f"and {MAX_REPEAT - SERIES_SHOWN} more" in seen
        assert "<@U1>" not in seen.replace("&lt;@U1&gt;", "")


def test_the_edit_form_is_a_view_slack_takes() -> None:
    check_view(
        build_edit_form(
            replace(SHIFT, location="x" * 300, notes="y" * 1000), date(2026, 11, 28), "10:00", "13:00"
        )
    )


def test_a_roster_add_line_names_the_person() -> None:
    waiting = SignupView(5, SHIFT, TEAM, "U9", SignupStatus.WAITLISTED, 41)
    line = roster_add_line(RosterAdd(waiting, walk_in=False, already=False))
    assert "<@U9> is #41 on the waitlist" in line
    assert "capacity 501" not in line and "the most places a shift can have (500)" in line
    line = roster_add_line(
        RosterAdd(replace(waiting, shift=replace(SHIFT, capacity=8)), walk_in=False, already=False)
    )
    assert line.endswith("raise it: `/turnout shift edit 2147483647 capacity 9`.")
