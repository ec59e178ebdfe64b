"""Who is acting comes from the volunteer table every worker shares; Slack is asked after the reply."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import select

from bot.cli.app import build_app, build_wsgi
from bot.deps import make_deps
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.models import State, Volunteer
from bot.services.people import PROFILE_MAX_AGE
from tests import factories
from tests.conftest import SIGNING_SECRET, Bot
from tests.factories import TEAM


def bind_iowa(bot: Bot) -> None:
    with bot.deps.session() as session:
        factories.coordinator(session, "UCOORD", "IA", bot.clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
        session.add(row)


def stored_name(bot: Bot, user_id: str) -> str | None:
    with bot.deps.read_session() as session:
        return session.exec(select(Volunteer.real_name).where(Volunteer.id == user_id)).first()


def test_a_known_volunteer_is_answered_without_asking_slack(bot: Bot) -> None:
    with bot.deps.session() as session:
        factories.volunteer(session, "UVOL1", bot.clock(), name="ana")
    bind_iowa(bot)
    exchange = bot.command("/log", "3 doors 1 convos", channel="CIOWA")
    assert "3" in exchange.text
    assert bot.slack.calls_to("users.info") == []


def test_a_new_volunteer_is_answered_then_their_profile_is_stored_for_every_worker(bot: Bot) -> None:
    bind_iowa(bot)
    exchange = bot.command("/log", "2 doors", user="UVOL2", channel="CIOWA")
    assert "2" in exchange.text
    assert stored_name(bot, "UVOL2") == "Ben"
    assert len(bot.slack.calls_to("users.info")) == 1

    # Another worker process: its own app and executor, the same database.
    executor = TrackingExecutor()
    other = build_app(
        replace(make_deps(bot.deps.settings, engine=bot.deps.engine, team_id=TEAM), clock=bot.clock),
        client=bot.client,
        executor=executor,
    )
    driver = SlackDriver(build_wsgi(other, bot.deps), bot.slack, SIGNING_SECRET, executor)
    try:
        driver.command("/log", "1 doors", user="UVOL2", channel="CIOWA")
    finally:
        executor.shutdown(wait=True)
    assert len(bot.slack.calls_to("users.info")) == 1


def test_an_old_profile_is_refreshed_after_the_reply(bot: Bot) -> None:
    bind_iowa(bot)
    bot.command("/log", "2 doors", user="UVOL3", channel="CIOWA")
    bot.slack.people["UVOL3"].real_name = "Cam Renamed"
    bot.clock.advance(seconds=PROFILE_MAX_AGE.total_seconds() - 1)
    bot.command("/log", "1 doors", user="UVOL3", channel="CIOWA")
    assert stored_name(bot, "UVOL3") == "Cam"
    bot.clock.advance(seconds=2)
    bot.command("/log", "1 doors", user="UVOL3", channel="CIOWA")
    assert stored_name(bot, "UVOL3") == "Cam Renamed"
    assert len(bot.slack.calls_to("users.info")) == 2


def test_a_never_seen_workspace_owner_is_asked_about_before_an_admin_command(bot: Bot) -> None:
    exchange = bot.command("/turnout", "coordinator <@UVOL1|ana> IA", user="UOWNER")
    assert "now coordinates IA" in exchange.text
    asked = [c.params.get("user") for c in bot.slack.calls_to("users.info")]
    # The owner once, for the admin right; the person named once, to check Slack knows them.
    assert sorted(asked) == ["UOWNER", "UVOL1"]
