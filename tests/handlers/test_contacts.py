"""Logging contacts, goals, stats, leaderboards and export, as people do it through Slack."""

from __future__ import annotations

import csv
import io
from datetime import time

import pytest
import sqlalchemy as sa

from bot.models import State
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def bind(bot: Bot, state: str = "IA", channel: str = "CIOWA") -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", state, bot.clock())
        row = session.get(State, (TEAM, state))
        assert row is not None
        row.channel_id = channel
        session.add(row)


def log_count(bot: Bot) -> tuple[int, int]:
    with bot.deps.read_session() as session:
        logs = session.execute(sa.text("SELECT count(*) FROM contactlog")).scalar_one()
        days = session.execute(sa.text("SELECT coalesce(sum(logs), 0) FROM contactday")).scalar_one()
    return int(logs), int(days)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-5 doors", "`-5` doors isn't a count"),
        ("0 doors", "0 doors is out of range"),
        ("2.5 doors", "`2.5` doors isn't a count"),
        ("5000 doors", "5000 doors is out of range: one log takes 1 to 2000"),
        ("40 pamphlets", "`pamphlets` isn't a metric"),
        ("doors 40", "`doors` needs a number before it"),
        ("40", "`40` needs a metric after it"),
        ("40 doors 5 doors", "doors is given twice"),
        ("40 doors for", "`for` needs a shift id"),
        ("40 doors for abc", "`abc` is not a shift id"),
        ("40 doors for 1", "You weren't on shift #1"),
        ("40 doors for 999", "There is no shift #999"),
        ("lots of doors", "`lots` isn't a number or a metric"),
    ],
)
def test_bad_logs_are_refused_and_write_nothing(bot: Bot, text: str, expected: str) -> None:
    bind(bot)
    with bot.deps.session() as session:
        make.shift(session, bot.clock())
    exchange = bot.command("/log", text, channel="CIOWA")
    assert exchange.status == 200 and expected in exchange.text, exchange.text
    assert log_count(bot) == (0, 0)


def test_log_records_and_shows_totals_and_the_goal(bot: Bot) -> None:
    bind(bot)
    assert "every day" in bot.command("/turnout", "goal IA 100 doors daily", user="UCOORD").text
    first = bot.command("/log", "40 knocks 6 conversations", channel="CIOWA")
    assert "Recorded 40 doors · 6 conversations in Iowa" in first.text
    bot.command("/log", "10 door", channel="CIOWA", user="UVOL2")
    again = bot.command("/log", "5 doors 1 id", channel="CIOWA")
    assert "Your totals today: 45 doors · 6 conversations · 1 supporter" in again.text
    assert "`▓▓▓▓▓░░░░░ 55%` 55 / 100 doors" in again.text
    assert again.reply.ephemeral_to == "UVOL1"
    assert log_count(bot) == (3, 3)


def test_log_without_a_state_says_how_to_set_one(bot: Bot) -> None:
    text = bot.command("/log", "5 doors", channel="CRANDOM").text
    assert "/turnout home ST" in text
    assert log_count(bot) == (0, 0)
    bot.command("/turnout", "home NH")
    assert "in New Hampshire" in bot.command("/log", "5 doors", channel="CRANDOM").text


def test_log_for_a_shift_counts_for_the_shifts_state(bot: Bot) -> None:
    bind(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), state="NH", days_ahead=0, start=time(12))
    bot.command("/claim", str(shift_id))
    bot.clock.advance(hours=3)
    text = bot.command("/log", f"12 calls for {shift_id}", channel="CIOWA").text
    assert f"12 calls for shift #{shift_id} in New Hampshire" in text


def test_undo_removes_exactly_one_of_the_callers_own_logs(bot: Bot) -> None:
    bind(bot)
    bot.command("/log", "10 doors", channel="CIOWA")
    bot.clock.advance(minutes=5)
    bot.command("/log", "3 texts", channel="CIOWA")
    bot.command("/log", "7 calls", channel="CIOWA", user="UVOL2")
    undone = bot.command("/log", "undo")
    assert "Removed your log of 3 texts" in undone.text and "Your totals that day: 10 doors" in undone.text
    assert log_count(bot) == (2, 2)
    bot.clock.advance(hours=25)
    assert "no log from the last 24 hours" in bot.command("/log", "undo").text
    assert log_count(bot) == (2, 2)


def test_the_log_form_validates_inline_and_records_once(bot: Bot) -> None:
    bind(bot)
    opened = bot.command("/log", channel="CIOWA")
    view = opened.view
    assert view is not None and view["private_metadata"] == "CIOWA"
    empty = bot.driver.submit(view, {}, user="UVOL1")
    assert empty.ack["errors"] == {"doors": "Enter at least one count."}
    huge = bot.driver.submit(
        view, {"calls": {"calls": {"type": "number_input", "value": "9000"}}}, user="UVOL1"
    )
    assert "calls" in huge.ack["errors"]
    good = {
        "doors": {"doors": {"type": "number_input", "value": "25"}},
        "convos": {"convos": {"type": "number_input", "value": "4"}},
    }
    first = bot.driver.submit(view, good, user="UVOL1")
    second = bot.driver.submit(view, good, user="UVOL1")
    assert first.ack["response_action"] == "update"
    assert "Recorded 25 doors · 4 conversations" in str(first.ack["view"])
    assert "Already recorded" in str(second.ack["view"])
    assert log_count(bot) == (1, 1)


def test_goals_dated_win_over_standing_and_roles_are_enforced(bot: Bot) -> None:
    bind(bot)
    bot.command("/turnout", "goal IA 100 doors daily", user="UCOORD")
    bot.command("/turnout", "goal IA 300 doors", user="UCOORD")
    assert "300 doors" in bot.command("/stats", "IA").text
    assert "Only an IA coordinator" in bot.command("/turnout", "goal IA 5 doors").text
    assert (
        "Only an admin (no one coordinates NH yet) can set NH's goals"
        in bot.command("/turnout", "goal NH 5 doors", user="UCOORD").text
    )
    assert (
        "Only an admin (no one coordinates NH yet) can export NH's data"
        in bot.command("/turnout", "export NH", user="UCOORD").text
    )
    assert "I don't understand `everyone`" in bot.command("/stats", "everyone").text
    assert "I don't understand `IA me`" in bot.command("/stats", "IA me").text
    assert "in the past" in bot.command("/turnout", "goal IA 5 doors 2026-01-01", user="UCOORD").text
    assert "isn't a metric" in bot.command("/turnout", "goal IA 5 flyers", user="UCOORD").text
    assert "isn't a goal" in bot.command("/turnout", "goal IA many doors", user="UCOORD").text


def test_leaderboard_ties_share_a_rank_and_the_caller_sees_their_place(bot: Bot) -> None:
    bind(bot)
    for n in range(7, 20):
        bot.slack.add_person(f"UVOL{n}", f"vol{n}")
    for n in range(2, 14):  # twelve people: two tie at the top
        doors = 200 if n in (2, 3) else 150 - 5 * n
        bot.command("/log", f"{doors} doors 5 convos", user=f"UVOL{n}", channel="CIOWA")
    bot.command("/log", "1 texts", user="UVOL1", channel="CIOWA")
    board = bot.command("/leaderboard", "week", channel="CIOWA").text
    assert board.count(":first_place_medal:") == 2 and ":second_place_medal:" not in board
    assert ":third_place_medal:" in board and "*10.* vol11" in board and "vol12" not in board
    assert "You: #13 with 1 contact" in board
    assert "conversations)" in board
    assert "No contacts logged today in New Hampshire" in bot.command("/leaderboard", "NH today").text
    assert "given twice" in bot.command("/leaderboard", "IA NH").text


def test_export_sends_two_csvs_to_the_coordinator(bot: Bot) -> None:
    bind(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())
    bot.command("/claim", str(shift_id))
    bot.command("/log", "=cmd doors", channel="CIOWA")  # refused: nothing odd reaches a spreadsheet
    bot.command("/log", "40 doors 6 convos", channel="CIOWA")
    bot.command("/log", "2 doors", channel="CIOWA")
    assert "Only an IA coordinator" in bot.command("/turnout", "export IA").text
    sent = bot.command("/turnout", "export IA 2026-11-01 2026-11-30", user="UCOORD")
    assert "Sent you the IA export" in sent.text
    contacts, attendance = bot.slack.uploads
    assert contacts["channel"] == "DUCOORD" and contacts["filename"].endswith("-contacts.csv")
    rows = list(csv.DictReader(io.StringIO(contacts["content"].decode())))
    assert rows == [
        {
            "date": "2026-11-22",
            "state": "IA",
            "volunteer": "ana",
            "slack_id": "UVOL1",
            "email": "ana@example.org",
            "shift_id": "",
            "doors": "42",
            "calls": "0",
            "texts": "0",
            "convos": "6",
            "supporters": "0",
            "logs": "2",
        }
    ]
    assert "claimed" in attendance["content"].decode() and str(shift_id) in attendance["content"].decode()
