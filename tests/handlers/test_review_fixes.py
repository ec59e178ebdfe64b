"""Answers that must fit the situation: a shift already under way, a name two people share."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.models import Coordinator, Shift
from tests import factories as make
from tests.conftest import Bot


def test_releasing_a_shift_under_way_says_it_has_started_not_that_it_starts_soon(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    bot.command("/claim", str(shift_id))
    with bot.deps.read_session() as session:
        shift = session.get(Shift, shift_id)
        assert shift is not None
        bot.clock.now = shift.starts_at + timedelta(minutes=30)
    reply = bot.command("/unclaim", str(shift_id)).text
    assert f"Shift #{shift_id} has already started, too late to release it yourself." in reply
    assert "starts within" not in reply


def test_a_name_two_volunteers_share_is_never_guessed(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.volunteer(session, "UANA1", bot.clock(), name="ana")
        make.volunteer(session, "UANA2", bot.clock(), name="ana")
    reply = bot.command("/turnout", "coordinator @ana IA", user="UADMIN").text
    assert "Several people are called @ana" in reply
    with bot.deps.read_session() as session:
        assert session.exec(select(Coordinator)).all() == []
