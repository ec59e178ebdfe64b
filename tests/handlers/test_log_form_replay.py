"""A form is recorded once per person: another person's submission never borrows someone else's log."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.conftest import Bot
from tests.handlers.forging import log_form, log_values, submit


def test_two_people_submitting_the_same_view_id_both_get_their_own_log(bot: Bot) -> None:
    for user in ("UVOL1", "UVOL2"):
        bot.command("/turnout", "home IA", user=user)
    view = log_form("VSHARED01")
    first = submit(bot, view, log_values(doors="12", convos="4"), user="UVOL1")
    second = submit(bot, view, log_values(doors="3"), user="UVOL2")
    assert first.ack["response_action"] == second.ack["response_action"] == "update"
    shown = json.dumps(second.ack["view"])
    assert "Already recorded" not in shown and "12 doors" not in shown and "3 doors" in shown
    with bot.deps.read_session() as session:
        rows = session.execute(sa.text("SELECT volunteer_id, doors FROM contactlog ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("UVOL1", 12), ("UVOL2", 3)]


def test_the_same_person_submitting_twice_is_recorded_once(bot: Bot) -> None:
    bot.command("/turnout", "home IA", user="UVOL1")
    view = log_form("VTWICE01")
    submit(bot, view, log_values(doors="12"), user="UVOL1")
    again = submit(bot, view, log_values(doors="12"), user="UVOL1")
    assert again.ack["response_action"] == "update", again.ack
    with bot.deps.read_session() as session:
        assert session.execute(sa.text("SELECT count(*) FROM contactlog")).scalar_one() == 1
