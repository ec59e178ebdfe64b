"""Attendance is not taken on a cancelled shift, even from a roster opened before the cancel."""

from __future__ import annotations

import sqlalchemy as sa

from bot.blocks import actions as act
from tests import factories as make
from tests.conftest import Bot


def test_marking_attendance_on_a_cancelled_shift_is_refused(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.clock.advance(days=1, hours=1)  # the shift is under way: attendance is open
    roster = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    assert "[Attended]" in bot.command("/turnout", f"roster {shift_id}", user="UCOORD").text
    assert "cancelled" in bot.cancel_shift(shift_id, user="UCOORD").text.lower()
    with bot.deps.read_session() as session:
        before = session.execute(sa.text("SELECT status FROM signup")).scalar_one()
    clicked = bot.click(roster, act.ATTENDED, user="UCOORD")
    assert clicked.status == 200
    assert f"Shift #{shift_id} was cancelled" in clicked.text
    with bot.deps.read_session() as session:
        assert session.execute(sa.text("SELECT status FROM signup")).scalar_one() == before
