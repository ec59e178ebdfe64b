"""Numbers and dates people type that Python cannot take as they are get a specific answer, not silence."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from tests import factories as make
from tests.conftest import Bot

TABLES = [table.name for table in SQLModel.metadata.sorted_tables if table.name != "volunteer"]


def counts(bot: Bot) -> dict[str, int]:
    with bot.deps.read_session() as session:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


@pytest.mark.parametrize(
    ("user", "command", "text", "expected"),
    [
        ("UVOL1", "/shifts", "9999-12-31", "too far away"),
        ("UVOL1", "/shifts", "0001-01-01", "too far away"),
        ("UVOL1", "/shifts", "IA 9999-12-31", "too far away"),
        ("UCOORD", "/turnout", "goal IA ² doors", "isn't a goal"),
        ("UCOORD", "/turnout", "goal IA ١٢ doors", "isn't a goal"),
        ("UCOORD", "/turnout", "goal IA " + "9" * 100_000 + " doors", "isn't a goal"),
        ("UCOORD", "/turnout", "goal IA 50 doors 9999-12-31", "too far away"),
        ("UCOORD", "/turnout", "cutoff IA inf", "is not a number of hours"),
        ("UCOORD", "/turnout", "cutoff IA 1e308", "is not a number of hours"),
        ("UCOORD", "/turnout", "cutoff IA nan", "is not a number of hours"),
        ("UCOORD", "/turnout", "cutoff IA -1", "is not a number of hours"),
        ("UCOORD", "/turnout", "export IA 9999-12-30 9999-12-31", "too far away"),
        ("UCOORD", "/turnout", "export IA 0001-01-01 0001-01-02", "too far away"),
        ("UCOORD", "/turnout", "shift add IA 9999-12-31 10:00-13:00 canvass 5 HQ", "too far away"),
        ("UCOORD", "/turnout", "shift add IA 0001-01-01 10:00-13:00 canvass 5 HQ", "too far away"),
        ("UVOL1", "/log", "9" * 5000 + " doors", "out of range"),
        ("UVOL1", "/claim", "9" * 5000, "There is no shift"),
        ("UCOORD", "/turnout", "roster " + "9" * 5000, "There is no shift"),
        # Python refuses to read more than 4,300 digits, leading zeros included.
        ("UVOL1", "/log", "0" * 5000 + "12 doors for 99999", "There is no shift #99999."),
        ("UVOL1", "/claim", "0" * 5000 + "99999", "There is no shift #99999."),
    ],
)
def test_numbers_and_dates_out_of_reach_are_refused_specifically(
    bot: Bot, user: str, command: str, text: str, expected: str
) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    before = counts(bot)
    exchange = bot.command(command, text, user=user)
    assert exchange.status == 200
    assert expected in exchange.text, exchange.text
    assert "Traceback" not in exchange.text
    assert counts(bot) == before


def test_a_cutoff_in_plain_hours_still_works(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    assert "until 1.5 hours before" in bot.command("/turnout", "cutoff IA 1.5h", user="UCOORD").text


def test_a_count_with_leading_zeros_is_still_its_number(bot: Bot) -> None:
    bot.command("/turnout", "home IA", user="UVOL1")
    assert "40 doors" in bot.command("/log", "00040 doors", user="UVOL1").text
