"""Bad input gets a specific ephemeral error with the right form, HTTP 200, and writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.localslack.reading import message_text
from tests import factories as make
from tests.conftest import Bot

TABLES = ("shift", "signup", "coordinator", "delivery")


def counts(bot: Bot) -> dict[str, int]:
    with bot.deps.read_session() as session:
        return {t: session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def home_states(bot: Bot) -> list[str | None]:
    with bot.deps.read_session() as session:
        return list(session.execute(sa.text("SELECT home_state FROM volunteer ORDER BY id")).scalars())


@pytest.mark.parametrize(
    ("user", "command", "text", "expected"),
    [
        ("UVOL1", "/claim", "abc", "is not a shift id"),
        ("UVOL1", "/claim", "", "Which shift?"),
        ("UVOL1", "/claim", "1 2", "exactly one shift id"),
        ("UVOL1", "/claim", "-3", "is not a shift id"),
        ("UVOL1", "/claim", "9999", "There is no shift #9999"),
        ("UVOL1", "/unclaim", "9999", "There is no shift #9999"),
        ("UVOL1", "/unclaim", "1", "You are not signed up for shift #1"),
        ("UVOL1", "/shifts", "ZZ", "I don't understand `ZZ`"),
        ("UVOL1", "/shifts", "2026-02-30", "not a real date"),
        ("UVOL1", "/shifts", "IA NH", "given twice"),
        ("UVOL1", "/myshifts", "extra", "takes no arguments"),
        ("UVOL1", "/turnout", "frobnicate", "I don't know `/turnout frobnicate`"),
        ("UVOL1", "/turnout", "home XX", "`XX` is not a state code"),
        ("UVOL1", "/turnout", "home", "Give one state, by its code or its name"),
        ("UADMIN", "/turnout", "state IA", "Give a state, a channel"),
        ("UADMIN", "/turnout", "state IA #no-such-channel", "I can't find #no-such-channel"),
        ("UADMIN", "/turnout", "state IA <#CGHOST|ghost>", "I can't see #ghost"),
        ("UADMIN", "/turnout", "state IA #iowa Mars/Olympus", "not a time zone"),
        ("UADMIN", "/turnout", "state IA iowa", "is not a channel"),
        ("UADMIN", "/turnout", "coordinator @nobody IA", "can't find anyone called @nobody"),
        ("UADMIN", "/turnout", "coordinator remove <@UVOL2|ben> IA", "is not an IA coordinator"),
        (
            "UADMIN",
            "/turnout",
            "shift add ZZ 2026-11-28 10:00-13:00 canvass 5 HQ",
            "`ZZ` is not a state code",
        ),
        ("UADMIN", "/turnout", "shift add IA 2026-13-01 10:00-13:00 canvass 5 HQ", "is not a date"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-01 10:00-13:00 canvass 5 HQ", "is in the past"),
        (
            "UADMIN",
            "/turnout",
            "shift add IA 2026-11-28 13:00-10:00 canvass 5 HQ",
            "ends (10:00) before it starts",
        ),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 25:00-26:00 canvass 5 HQ", "out of range"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10-13 canvass 5 HQ", "is not a time range"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10:00-13:00 picnic 5 HQ", "`picnic` is not a kind"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 0 HQ", "between 1 and 500"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 100000 HQ", "between 1 and 500"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 2.5 HQ", "is not a capacity"),
        ("UADMIN", "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 5", "Missing the location"),
        (
            "UADMIN",
            "/turnout",
            "shift add IA 2026-11-28 10:00-13:00 canvass 5 " + "x" * 400,
            "keep it to at most 300",
        ),
        ("UADMIN", "/turnout", "shift add IA 2028-11-28 10:00-13:00 canvass 5 HQ", "up to 400 days ahead"),
        ("UADMIN", "/turnout", "shift add IA 2027-03-14 02:30-04:00 canvass 5 HQ", "does not exist"),
        ("UADMIN", "/turnout", "shift cancel", "Give the id"),
        (
            "UADMIN",
            "/turnout",
            "shift launch",
            "Use `shift add`, `shift edit`, `shift repeat` or `shift cancel`",
        ),
        ("UADMIN", "/turnout", "roster x", "is not a shift id"),
        ("UVOL1", "/turnout", "state IA #iowa", "Only a Turnout admin"),
        ("UVOL1", "/turnout", "coordinator <@UVOL2|ben> IA", "Only a Turnout admin"),
        ("UVOL1", "/turnout", "shift add IA 2026-11-28 10:00-13:00 canvass 5 HQ", "Only an admin"),
        ("UVOL1", "/turnout", "shift add", "Only coordinators and admins"),
        ("UVOL1", "/turnout", "shift cancel 1", "Only an admin"),
        ("UVOL1", "/turnout", "roster 1", "Only an admin"),
    ],
)
def test_bad_input_is_refused_specifically_and_writes_nothing(
    bot: Bot, user: str, command: str, text: str, expected: str
) -> None:
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), capacity=3)
    before, homes = counts(bot), home_states(bot)
    exchange = bot.command(command, text, user=user)
    assert exchange.status == 200
    reply = exchange.reply
    assert reply.ephemeral_to == user
    assert expected in message_text(reply), message_text(reply)
    assert "Traceback" not in message_text(reply)
    assert counts(bot) == before
    assert [h for h in home_states(bot) if h] == [h for h in homes if h]


def test_usage_errors_show_the_right_form(bot: Bot) -> None:
    text = bot.command("/claim", "abc").text
    assert "Usage: `/claim ID`" in text


def test_odd_text_is_stored_plain_and_shown_inert(bot: Bot) -> None:
    location = "<!channel> &lt;b&gt; <https://meet.example.org/x|call> \u0007HQ"
    created = bot.command(
        "/turnout", f"shift add IA 2026-11-28 10:00-13:00 canvass 5 {location}", user="UADMIN"
    )
    shown = created.text
    assert "<!channel>" not in shown and "&lt;b&gt;" in shown and "https://meet.example.org/x" in shown
    with bot.deps.read_session() as session:
        stored = session.execute(sa.text("SELECT location FROM shift ORDER BY id DESC")).scalars().first()
    assert stored == "@channel <b> https://meet.example.org/x HQ"


def test_every_command_answers_help(bot: Bot) -> None:
    for command in ("/shifts", "/claim", "/unclaim", "/myshifts"):
        assert "Usage:" in bot.command(command, "help").text
    assert "What you can do" in bot.command("/turnout", "help").text
