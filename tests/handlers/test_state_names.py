"""A STATE is a code or a name, in every command that takes one (SPEC §3), names of several words too."""

from __future__ import annotations

from sqlmodel import select

from bot.models import Coordinator, Shift, State, Volunteer
from tests.conftest import Bot
from tests.factories import TEAM


def test_every_setup_command_takes_a_state_of_several_words(bot: Bot) -> None:
    home = bot.command("/turnout", "home new hampshire", user="UVOL1").text
    assert "Your home state is now New Hampshire (NH)." in home
    bound = bot.command("/turnout", "state new hampshire #new-hampshire", user="UADMIN").text
    assert "New Hampshire (NH) now posts in" in bound
    granted = bot.command("/turnout", "coordinator @cora new hampshire", user="UADMIN").text
    assert "now coordinates NH" in granted
    cutoff = bot.command("/turnout", "cutoff new hampshire 2", user="UCOORD").text
    assert "In NH, volunteers can release a shift themselves until 2 hours before it starts." in cutoff
    schedule = bot.command("/turnout", "schedule new hampshire morning 08:30", user="UCOORD").text
    assert "08:30" in schedule
    digest = bot.command("/turnout", "digest new hampshire evening", user="UCOORD").text
    assert "evening digest for NH" in digest
    added = bot.command(
        "/turnout",
        "shift add new hampshire 2026-11-28 10:00-13:00 canvass 8 Concord HQ,  5 Main St",
        user="UCOORD",
    ).text
    assert "Added shift #1" in added
    with bot.deps.read_session() as session:
        assert session.exec(select(Volunteer.home_state).where(Volunteer.id == "UVOL1")).one() == "NH"
        assert session.exec(select(State.channel_id).where(State.code == "NH")).one() == "CNH"
        assert session.get(Coordinator, (TEAM, "UCOORD", "NH")) is not None
        shift = session.exec(select(Shift)).one()
    assert (shift.state, shift.location) == ("NH", "Concord HQ,  5 Main St")


def test_a_state_name_that_is_not_one_is_refused_naming_the_right_form(bot: Bot) -> None:
    reply = bot.command("/turnout", "home new hamster", user="UVOL1").text
    assert "Usage: `/turnout home STATE`" in reply
    with bot.deps.read_session() as session:
        assert session.exec(select(Volunteer.home_state).where(Volunteer.id == "UVOL1")).first() is None
