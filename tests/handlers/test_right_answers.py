"""Answers that are right and words that read right: states by name, goals that keep the past,
posts that say what is true, plurals and articles that agree, help that lists everything."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.blocks import actions as act
from bot.db import alembic_config
from bot.i18n import ENGLISH
from bot.localslack.reading import message_text
from bot.models import State
from handlers.parsing import METRIC_WORDS, parse_listing, parse_state, take_state
from jobs.runner import run_due
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def local(text: str, tz: str = "America/Chicago") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def bind(bot: Bot, state: str = "IA", channel: str = "CIOWA") -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", state, bot.clock())
        row = session.get(State, (TEAM, state))
        assert row is not None
        row.channel_id = channel
        session.add(row)


def tick(bot: Bot, at: datetime) -> None:
    bot.clock.now = at
    run_due(bot.deps, at)


def posts(bot: Bot, needle: str, channel: str = "CIOWA") -> list[str]:
    return [message_text(m) for m in bot.slack.posts_in(channel) if needle in message_text(m)]


# ---------------------------------------------------------------- 1. states by code or name


def test_states_parse_by_code_or_name_and_me_is_not_maine() -> None:
    assert parse_state("maine") == "ME" and parse_state("New Hampshire") == "NH"
    assert take_state(["west", "virginia", "week"]) == ("WV", 2)
    assert take_state(["new", "hampshire", "today"]) == ("NH", 2)
    assert parse_listing("new hampshire tomorrow canvass", "u").state == "NH"


def test_stats_me_is_the_caller_and_stats_maine_is_maine(bot: Bot) -> None:
    mine = bot.command("/stats", "ME").text
    assert "impact" in mine and "Maine" not in mine
    assert "Maine today" in bot.command("/stats", "maine").text
    assert "New Hampshire today" in bot.command("/stats", "new hampshire").text


def test_multi_word_state_names_work_for_shifts_leaderboard_and_goals(bot: Bot) -> None:
    bind(bot, "NH", "CNH")
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), state="NH")
    assert "New Hampshire" in bot.command("/shifts", "new hampshire").text
    assert "No contacts logged this week in Iowa" in bot.command("/leaderboard", "iowa week").text
    set_goal = bot.command("/turnout", "goal new hampshire 50 doors", user="UCOORD").text
    assert "New Hampshire's goal" in set_goal and "50 doors" in set_goal


# ---------------------------------------------------------------- 2. goals keep the past


def test_changing_a_standing_goal_never_rewrites_yesterday(bot: Bot) -> None:
    bind(bot)
    bot.clock.now = local("2026-11-21T10:00")
    bot.command("/turnout", "goal IA 40 convos daily", user="UCOORD")
    bot.command("/log", "25 convos", channel="CIOWA")
    bot.clock.now = local("2026-11-22T08:00")
    bot.command("/turnout", "goal IA 50 convos daily", user="UCOORD")
    tick(bot, local("2026-11-22T09:00"))
    (post,) = posts(bot, "Good morning")
    assert "25 / 40 conversations" in post and "0 / 50 conversations" in post
    assert "25 / 50" not in post


def test_a_dated_goal_wins_its_day_over_the_standing_one(bot: Bot) -> None:
    bind(bot)
    bot.command("/turnout", "goal IA 100 doors daily", user="UCOORD")
    bot.command("/turnout", "goal IA 30 doors 2026-11-22", user="UCOORD")
    assert "0 / 30 doors" in bot.command("/stats", "IA").text


def test_a_log_answers_with_its_day_s_goals_the_dated_over_the_standing(bot: Bot) -> None:
    bind(bot)
    bot.clock.now = local("2026-11-21T10:00")
    bot.command("/turnout", "goal IA 100 doors daily", user="UCOORD")
    bot.command("/turnout", "goal IA 40 convos daily", user="UCOORD")
    bot.clock.now = local("2026-11-22T10:00")
    bot.command("/turnout", "goal IA 60 convos daily", user="UCOORD")  # standing from today on
    bot.command("/turnout", "goal IA 30 doors 2026-11-22", user="UCOORD")
    bot.command("/turnout", "goal IA 9 calls 2026-11-23", user="UCOORD")  # another day's
    reply = bot.command("/log", "5 doors 2 convos", channel="CIOWA").text
    assert "5 / 30 doors" in reply and "2 / 60 conversations" in reply
    assert "/ 100" not in reply and "/ 40" not in reply and "calls" not in reply


def test_the_migration_starts_existing_standing_goals_on_the_day_they_were_set(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config: Config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO state (code, timezone, unclaim_cutoff_minutes, morning_at, evening_at, "
                "day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) VALUES "
                "('IA', 'America/Chicago', 180, '09:00:00', '20:00:00', '11:00:00', '08:00:00', 120, 60, "
                "'2026-11-01 00:00:00')"
            )
        )
        # 03:00 UTC on the 22nd is still the evening of the 21st in Iowa.
        db.execute(
            sa.text(
                "INSERT INTO goal (state, metric, local_date, target, set_by, set_at) "
                "VALUES ('IA', 'doors', NULL, 40, 'UCOORD', '2026-11-22 03:00:00')"
            )
        )
    command.upgrade(config, "0004")
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT starts_on FROM goal")).scalar_one() == "2026-11-21"
    engine.dispose()


# ---------------------------------------------------------------- 3. posts that say what is true


def test_the_morning_post_does_not_call_no_shifts_all_full(bot: Bot) -> None:
    bind(bot)
    tick(bot, local("2026-11-23T09:00"))
    (post,) = posts(bot, "Good morning")
    assert "is full" not in post and "No shifts today or tomorrow" in post


def test_the_weekly_digest_names_no_shows_says_no_shifts_and_draws_bars(bot: Bot) -> None:
    bind(bot)
    bot.clock.now = local("2026-11-16T07:00")
    bot.command("/turnout", "goal IA 2 convos daily", user="UCOORD")
    bot.clock.now = local("2026-11-17T12:00")
    bot.command("/log", "7 convos", channel="CIOWA")
    tick(bot, local("2026-11-23T08:00"))
    (dm,) = [message_text(m) for m in bot.slack.dms_to("UCOORD")]
    assert "No shifts last week" in dm and "0/0" not in dm
    assert "7 / 14 conversations" in dm and "`▓▓▓▓▓░░░░░ 50%`" in dm and "convos" not in dm


def test_the_weekly_digest_names_who_did_not_show(bot: Bot) -> None:
    bind(bot)
    with bot.deps.session() as session:
        make.volunteer(session, "UVOL1", bot.clock(), name="<b>ana</b>")
        shift_id = make.shift(session, local("2026-11-18T08:00"), days_ahead=0, start=time(13))
    bot.clock.now = local("2026-11-18T08:00")
    bot.command("/claim", str(shift_id))
    bot.clock.now = local("2026-11-18T13:30")
    roster = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    bot.click(roster, act.NO_SHOW, user="UCOORD")
    tick(bot, local("2026-11-23T08:00"))
    dm = message_text(bot.slack.dms_to("UCOORD")[-1])
    assert "*No-shows:* 1 (&lt;b&gt;ana&lt;/b&gt;)" in dm
    assert "(1/5 places on 1 shift)" in dm


# ---------------------------------------------------------------- 4. at-risk posts stay current


def test_covering_from_the_at_risk_post_redraws_it(bot: Bot) -> None:
    bind(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1, capacity=2, start=time(10))
    tick(bot, local("2026-11-23T08:00"))
    (risk,) = [m for m in bot.slack.posts_in("CIOWA") if "needs cover" in message_text(m)]
    assert "2 open places" in message_text(risk)
    bot.click(risk, act.CLAIM, user="UVOL3")
    assert "1 open place," in message_text(risk) and "1 not confirmed" in message_text(risk)
    assert f"#{shift_id}" in message_text(risk)


# ---------------------------------------------------------------- 5. ties in the evening post


def test_the_evening_post_ranks_a_tie_like_the_leaderboard(bot: Bot) -> None:
    bind(bot)
    bot.clock.now = local("2026-11-22T12:00")
    bot.command("/log", "30 doors", channel="CIOWA", user="UVOL1")
    bot.command("/log", "10 doors", channel="CIOWA", user="UVOL2")
    bot.command("/log", "10 doors", channel="CIOWA", user="UVOL3")
    tick(bot, local("2026-11-22T20:00"))
    (post,) = posts(bot, "Top volunteers")
    assert "2. ben" in post and "2. cam" in post and "3." not in post


# ---------------------------------------------------------------- 6. plurals


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0 doors"), (1, "1 door"), (2, "2 doors"), (1200, "1,200 doors")]
)
def test_plural_agrees(n: int, expected: str) -> None:
    assert ENGLISH.ngettext("{count} door", "{count} doors", n) == expected


def test_one_of_anything_is_singular_everywhere(bot: Bot) -> None:
    bind(bot)
    bot.command("/turnout", "goal IA 1 supporters daily", user="UCOORD")
    logged = bot.command("/log", "1 door 1 conversation 1 supporter", channel="CIOWA").text
    assert "Recorded 1 door · 1 conversation · 1 supporter" in logged
    assert "1 / 1 supporter" in logged and "1 conversation (no goal set)" in logged
    board = bot.command("/leaderboard", "IA today").text
    assert "*3* contacts (1 conversation)" in board
    assert "1 volunteer logged today" in bot.command("/stats", "IA").text
    tick(bot, local("2026-11-22T20:00"))
    (post,) = posts(bot, "Top volunteers")
    assert "1 volunteer logged today" in post and "(1 conversation)" in post


# ---------------------------------------------------------------- 7. words


def test_articles_cutoff_limits_and_scopes_read_right(bot: Bot) -> None:
    bind(bot)
    assert "Only an IA coordinator" in bot.command("/turnout", "goal IA 5 doors").text
    with bot.deps.session() as session:
        make.coordinator(session, "UVOL6", "TX", bot.clock())
    assert "Only a TX coordinator" in bot.command("/turnout", "goal TX 5 doors").text
    assert "until it starts." in bot.command("/turnout", "cutoff IA 0", user="UCOORD").text
    long = "x" * 301
    added = bot.command("/turnout", f"shift add IA 2026-11-28 10:00-13:00 canvass 5 {long}", user="UCOORD")
    assert "at most 300" in added.text
    listing = bot.command("/shifts", "", user="UVOL5").text
    assert "in any state" in listing and "all states" not in listing
    assert "nationally" in bot.command("/leaderboard", "US").text


def test_numbers_too_large_are_out_of_range_like_the_others(bot: Bot) -> None:
    bind(bot)
    assert "There is no shift #" in bot.command("/claim", "99999999999999999999999").text
    assert "is out of range" in bot.command("/log", "99999999999999999999 doors", channel="CIOWA").text


def test_repeating_unclaim_says_you_are_not_on_it(bot: Bot) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())
    bot.command("/claim", str(shift_id))
    assert "Thanks for letting us know" in bot.command("/unclaim", str(shift_id)).text
    again = bot.command("/unclaim", str(shift_id)).text
    assert "not on shift" in again and "Thanks" not in again


# ---------------------------------------------------------------- 8. help


def test_turnout_help_lists_every_subcommand_a_coordinator_may_run(bot: Bot) -> None:
    bind(bot)
    text = bot.command("/turnout", "help", user="UCOORD").text
    for sub in (
        *("schedule", "digest", "cutoff", "goal", "export", "roster", "shift add", "shift cancel"),
        *("people", "require", "trained", "noshow"),
    ):
        assert f"/turnout {sub}" in text, sub


def test_log_help_lists_every_word_the_parser_accepts(bot: Bot) -> None:
    text = bot.command("/log", "help").text
    for word in METRIC_WORDS:
        assert word in text, word


@pytest.mark.parametrize(
    "sub",
    [
        *("goal", "export", "home", "state", "coordinator", "cutoff", "schedule", "digest", "roster"),
        *("people", "require", "trained", "noshow"),
    ],
)
def test_subcommand_help_reads_as_help(bot: Bot, sub: str) -> None:
    text = bot.command("/turnout", f"{sub} help", user="UCOORD").text
    assert text.startswith(f"*/turnout {sub}*:") and "Usage:" in text
    assert "Give " not in text and "I don't" not in text
