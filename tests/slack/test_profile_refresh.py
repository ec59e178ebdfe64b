"""Profiles found missing or old are fetched from Slack after the answer, one at a time at a pace
Slack's users.info limit allows, each person once; admin rights are never judged on an old one."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from bot.models import Volunteer
from bot.services.people import PERMISSION_MAX_AGE, PROFILE_MAX_AGE, Profile, sync_volunteer
from bot.slack.profiles import ProfileRefresher
from tests.conftest import Bot
from tests.factories import TEAM, member


def stored_name(bot: Bot, user_id: str) -> str | None:
    with bot.deps.read_session() as session:
        return session.exec(select(Volunteer.real_name).where(Volunteer.id == user_id)).first()


def asked(bot: Bot) -> list[str]:
    return [str(call.params.get("user")) for call in bot.slack.calls_to("users.info")]


def test_a_surge_of_new_people_is_fetched_one_at_a_time_each_once(bot: Bot) -> None:
    slept: list[float] = []
    paced = ProfileRefresher(1.0, sleep=slept.append)
    deps = replace(bot.deps, profiles=paced)
    paced.refresh(deps, bot.client, [member("UVOL1"), member("UVOL2")])
    paced.refresh(deps, bot.client, [member("UVOL2"), member("UVOL3")])  # UVOL2 asked for again while waiting
    assert paced.wait_idle(10)
    assert sorted(asked(bot)) == ["UVOL1", "UVOL2", "UVOL3"]
    assert slept == [1.0, 1.0, 1.0]  # a second after each call to Slack
    assert stored_name(bot, "UVOL3") == "Cam"


def test_a_stopped_refresher_drops_what_waits_and_ends_after_the_fetch_under_way(bot: Bot) -> None:
    first_asked = threading.Event()
    release = threading.Event()

    def held(_seconds: float) -> None:  # the pause after the first call to Slack
        first_asked.set()
        release.wait(10)

    paced = ProfileRefresher(1.0, sleep=held)
    paced.refresh(
        replace(bot.deps, profiles=paced), bot.client, [member("UVOL1"), member("UVOL2"), member("UVOL3")]
    )
    assert first_asked.wait(10)
    paced.stop()
    release.set()
    assert paced.wait_idle(10)
    assert asked(bot) == ["UVOL1"] and paced.waiting == 0


def test_someone_refreshed_meanwhile_by_another_worker_is_not_fetched_again(bot: Bot) -> None:
    with bot.deps.session() as session:
        sync_volunteer(session, profile=Profile(TEAM, "UVOL1", real_name="Ana"), now=bot.clock())
    slept: list[float] = []
    paced = ProfileRefresher(1.0, sleep=slept.append)
    paced.refresh(replace(bot.deps, profiles=paced), bot.client, [member("UVOL1")])
    assert paced.wait_idle(10)
    assert asked(bot) == [] and slept == []


def test_the_answer_does_not_wait_for_the_fetch(bot: Bot) -> None:
    bot.deps.profiles.spacing = 0.01  # as in production: fetched on the refresher's own thread
    bot.slack.delay_next("users.info", seconds=2)
    exchange = bot.command("/stats", "me", user="UVOL4")
    assert exchange.acked_in < 1.5 and "UVOL4" in exchange.text  # shown by id until then
    assert stored_name(bot, "UVOL4") == ""
    assert bot.deps.profiles.wait_idle(10)
    assert stored_name(bot, "UVOL4") == "Dee"


def test_an_old_profile_is_fetched_again_once_a_day(bot: Bot) -> None:
    bot.command("/log", "2 doors", user="UVOL3", channel="CRANDOM")
    bot.slack.people["UVOL3"].real_name = "Cam Renamed"
    bot.clock.advance(seconds=(PROFILE_MAX_AGE - timedelta(minutes=1)).total_seconds())
    bot.command("/stats", "me", user="UVOL3")
    assert stored_name(bot, "UVOL3") == "Cam"
    bot.clock.advance(minutes=2)
    bot.command("/stats", "me", user="UVOL3")
    assert stored_name(bot, "UVOL3") == "Cam Renamed"


def test_admin_rights_are_checked_with_slack_once_the_stored_profile_is_ten_minutes_old(bot: Bot) -> None:
    with bot.deps.session() as session:
        sync_volunteer(
            session, profile=Profile(TEAM, "UVOL1", real_name="Ana", is_workspace_admin=True), now=bot.clock()
        )
    bot.clock.advance(seconds=(PERMISSION_MAX_AGE - timedelta(minutes=1)).total_seconds())
    granted = bot.command("/turnout", "coordinator <@UVOL2|ben> IA", user="UVOL1")
    assert "now coordinates IA" in granted.text  # stored as an admin nine minutes ago: trusted
    assert "UVOL1" not in asked(bot)
    bot.clock.advance(minutes=2)  # Slack says Ana is no admin (any more)
    refused = bot.command("/turnout", "coordinator <@UVOL3|cam> IA", user="UVOL1")
    assert "now coordinates" not in refused.text
    assert asked(bot).count("UVOL1") == 1
