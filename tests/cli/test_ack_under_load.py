"""Slack is answered in time however much work is in flight: an ack waits for its own work's
reply at most `REPLY_WAIT_SECONDS`, never behind other requests' work, and every request is
answered, in its ack or through its response_url."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.blocks import actions as act
from bot.localslack.signing import signed_headers
from handlers.common import REPLY_WAIT_SECONDS
from tests import factories
from tests.conftest import SIGNING_SECRET, Bot

FORM = "application/x-www-form-urlencoded"
COMMANDS = [
    ("/log", "3 doors 1 convos"),
    ("/claim", "1"),
    ("/stats", "IA"),
    ("/shifts", "IA"),
    ("/myshifts", ""),
]
# Three times the bot fixture's 16 listener threads, so work fills the pool many times over.
REQUESTS = 48


@contextmanager
def database_held(engine: Engine) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or locks the volunteer table (PostgreSQL)."""
    with engine.connect() as connection:
        transaction = connection.begin()  # BEGIN IMMEDIATE on SQLite: the write lock
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("LOCK TABLE volunteer IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()


def test_every_command_is_acked_while_the_web_api_and_database_are_held(bot: Bot) -> None:
    with bot.deps.session() as session:
        factories.shift(session, bot.clock(), capacity=500)
        factories.volunteer(session, "UVOL1", bot.clock())

    def send(n: int) -> tuple[int, str, float]:
        command, text = COMMANDS[n % len(COMMANDS)]
        body = urlencode(
            {
                "command": command,
                "text": text,
                # Half the senders are known volunteers, half are people the bot has never seen.
                "user_id": f"UVOL{n % 6 + 1}" if n % 2 else f"UNEW{n}",
                "channel_id": "CRANDOM",
                "team_id": "T0TURNOUT",
                "response_url": bot.slack.response_url(f"held{n}"),
                "trigger_id": f"t.held{n}",
            }
        ).encode()
        started = time.monotonic()
        status, ack = bot.driver.send_raw(body, signed_headers(SIGNING_SECRET, body, FORM))
        if ack:
            bot.slack.answer_in_ack(f"held{n}", ack)  # Slack shows a reply the ack carries
        return status, ack, time.monotonic() - started

    bot.slack.gate.clear()
    try:
        with database_held(bot.deps.engine), ThreadPoolExecutor(max_workers=REQUESTS) as senders:
            acks = list(senders.map(send, range(REQUESTS)))
    finally:
        bot.slack.gate.set()
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle(timeout=120)

    assert [status for status, _ack, _seconds in acks] == [200] * REQUESTS, acks
    # Held, the work cannot answer in time: its ack goes empty after the wait, well within 3 s.
    assert max(seconds for _status, _ack, seconds in acks) < REPLY_WAIT_SECONDS + 1, acks
    answered = [n for n in range(REQUESTS) if bot.slack.responses(f"held{n}")]
    assert len(answered) == REQUESTS


def test_a_form_is_answered_in_time_while_commands_work_fills_the_pool(bot: Bot) -> None:
    """A form's checks decide its ack, which Slack waits for 3 s: they run at once on threads
    kept for them, not at the back of a listener pool full of a surge's work."""
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    view = bot.command("/turnout", "shift add", user="UCOORD").view
    assert view is not None and view["callback_id"] == act.SHIFT_FORM
    values = {
        "state": {"state": {"type": "static_select", "selected_option": {"value": "IA"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-29"}},
        "start": {"start": {"type": "timepicker", "selected_time": "13:00"}},
        "end": {"end": {"type": "timepicker", "selected_time": "10:00"}},  # before the start
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "phonebank"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "6"}},
        "location": {"location": {"type": "plain_text_input", "value": "Des Moines HQ"}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }
    pool = bot.driver.executor
    assert pool is not None
    surge = threading.Event()
    for _ in range(REQUESTS):  # every listener thread busy, and as much again waiting
        pool.submit(surge.wait, 30)
    try:
        answered = bot.driver.submit(view, values, user="UCOORD", wait=False)
    finally:
        surge.set()
    pool.wait_idle(timeout=60)
    assert answered.status == 200 and answered.ack.get("response_action") == "errors", answered.body
    assert set(answered.ack["errors"]) == {"end"}
    assert answered.acked_in < REPLY_WAIT_SECONDS + 1
