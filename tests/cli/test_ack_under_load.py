"""Slack is answered in time however much work is in flight: an ack waits for its own work's
reply at most `REPLY_WAIT_SECONDS`, never behind other requests' work, and every request is
answered, in its ack or through its response_url."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.blocks import actions as act
from bot.i18n import language
from bot.localslack.reading import message_text
from bot.localslack.signing import signed_headers
from bot.models import Shift
from bot.workpool import FIRST_THREADS
from handlers import common, shift_admin
from handlers.common import (
    ACK_WAIT_SECONDS,
    FORM_BUSY_TEXT,
    FORM_PLACE_WAIT_SECONDS,
    FORM_UNFINISHED,
    REPLY_WAIT_SECONDS,
    SORRY,
)
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


def shift_form(bot: Bot) -> dict[str, Any]:
    """The shift form, opened by a coordinator of Iowa."""
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")
    view = bot.command("/turnout", "shift add", user="UCOORD").view
    assert view is not None and view["callback_id"] == act.SHIFT_FORM
    return view


def shift_values(end: str) -> dict[str, dict[str, Any]]:
    """A shift from 13:00 to `end`: an error beside the end unless it is after 13:00."""
    return {
        "state": {"state": {"type": "static_select", "selected_option": {"value": "IA"}}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-29"}},
        "start": {"start": {"type": "timepicker", "selected_time": "13:00"}},
        "end": {"end": {"type": "timepicker", "selected_time": end}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "phonebank"}}},
        "capacity": {"capacity": {"type": "number_input", "value": "6"}},
        "location": {"location": {"type": "plain_text_input", "value": "Des Moines HQ"}},
        "notes": {"notes": {"type": "plain_text_input", "value": None}},
    }


def test_a_form_is_answered_in_time_while_commands_work_fills_the_pool(bot: Bot) -> None:
    """A form's checks decide its ack, which Slack waits for 3 s: they run at once on threads
    kept for them, not at the back of a listener pool full of a surge's work."""
    view = shift_form(bot)
    pool = bot.driver.executor
    assert pool is not None
    surge = threading.Event()
    for _ in range(REQUESTS):  # every listener thread busy, and as much again waiting
        pool.submit(surge.wait, 30)
    try:
        answered = bot.driver.submit(view, shift_values("10:00"), user="UCOORD", wait=False)
    finally:
        surge.set()
    pool.wait_idle(timeout=60)
    assert answered.status == 200 and answered.ack.get("response_action") == "errors", answered.body
    assert set(answered.ack["errors"]) == {"end"}
    assert answered.acked_in < REPLY_WAIT_SECONDS + 1


def shifts_saved(bot: Bot) -> int:
    with bot.deps.read_session() as session:
        return len(session.exec(select(Shift.id)).all())


def test_forms_waiting_on_slack_after_their_ack_leave_the_next_form_checked_at_once(bot: Bot) -> None:
    """Forms acked and then waiting on a slow Slack (posting the shift) hold their threads; with
    a surge of commands filling the listener pool, the next form's checks still start at once
    on a free kept thread, and it is answered in time."""
    view = shift_form(bot)
    pool = bot.driver.executor
    assert pool is not None
    surge = threading.Event()
    bot.slack.gate.clear()  # Slack's Web API holds every call
    try:
        for n in range(FIRST_THREADS - 1):
            saved = bot.driver.submit(
                {**view, "id": f"VSLOW{n}"}, shift_values("16:00"), user="UCOORD", wait=False
            )
            assert saved.status == 200 and saved.acked_in < REPLY_WAIT_SECONDS + 1, saved.body
        for _ in range(REQUESTS):  # every listener thread busy, and as much again waiting
            pool.submit(surge.wait, 30)
        answered = bot.driver.submit(view, shift_values("10:00"), user="UCOORD", wait=False)
    finally:
        surge.set()
        bot.slack.gate.set()
    pool.wait_idle(timeout=60)
    assert answered.status == 200 and answered.ack.get("response_action") == "errors", answered.body
    assert set(answered.ack["errors"]) == {"end"}
    assert answered.acked_in < REPLY_WAIT_SECONDS + 1


def test_a_form_finding_every_kept_thread_busy_is_told_turnout_is_busy_in_time_and_saves_nothing(
    bot: Bot,
) -> None:
    """Every thread kept for forms waiting on a slow Slack and a surge in the listener pool: a
    form is not put behind the surge (it would be checked after Slack gave up, and saved
    unseen); it stays open, in time, saying Turnout is busy, and nothing of it runs."""
    view = shift_form(bot)
    pool = bot.driver.executor
    assert pool is not None
    surge = threading.Event()
    bot.slack.gate.clear()
    try:
        for n in range(FIRST_THREADS):
            saved = bot.driver.submit(
                {**view, "id": f"VSLOW{n}"}, shift_values("16:00"), user="UCOORD", wait=False
            )
            assert saved.status == 200 and saved.acked_in < REPLY_WAIT_SECONDS + 1, saved.body
        for _ in range(REQUESTS):
            pool.submit(surge.wait, 30)
        turned_away = bot.driver.submit(
            {**view, "id": "VTURNEDAWAY"}, shift_values("17:00"), user="UCOORD", wait=False
        )
    finally:
        surge.set()
        bot.slack.gate.set()
    pool.wait_idle(timeout=60)
    assert turned_away.status == 200, turned_away.body
    assert turned_away.ack == {"response_action": "errors", "errors": {"state": FORM_BUSY_TEXT}}
    assert FORM_PLACE_WAIT_SECONDS <= turned_away.acked_in < ACK_WAIT_SECONDS
    assert shifts_saved(bot) == FIRST_THREADS  # the slow ones only


def test_a_form_whose_checks_fail_unexpectedly_stays_open_with_an_apology(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = shift_form(bot)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in the form's checks")

    monkeypatch.setattr(shift_admin, "read_shift_form", broken)
    answered = bot.driver.submit(view, shift_values("16:00"), user="UCOORD")
    assert answered.status == 200, answered.body
    assert answered.ack == {"response_action": "errors", "errors": {"state": SORRY}}
    assert shifts_saved(bot) == 0


def test_a_form_whose_checks_fail_apologises_in_its_submitters_language(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = shift_form(bot)
    bot.command("/turnout", "language es", user="UCOORD")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug in the form's checks")

    monkeypatch.setattr(shift_admin, "read_shift_form", broken)
    answered = bot.driver.submit(view, shift_values("16:00"), user="UCOORD")
    assert answered.status == 200, answered.body
    assert answered.ack == {"response_action": "errors", "errors": {"state": language("es")._(SORRY)}}
    assert language("es")._(SORRY) != SORRY
    assert shifts_saved(bot) == 0


def test_a_form_failing_after_its_ack_is_told_by_dm_it_may_be_unfinished_not_that_nothing_changed(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = shift_form(bot)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(shift_admin, "build_shift_created", broken)
    answered = bot.driver.submit(view, shift_values("16:00"), user="UCOORD")
    assert answered.status == 200 and answered.ack == {}, answered.body
    assert shifts_saved(bot) == 1
    told = [message_text(m) for m in bot.slack.dms_to("UCOORD")]
    assert told == [FORM_UNFINISHED], told


@pytest.mark.parametrize("fails", [False, True], ids=["slow", "slow and failing"])
def test_a_form_whose_checks_are_not_done_when_its_ack_is_due_is_told_turnout_is_busy_and_saves_nothing(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    """Slack gives up on an ack at 3 s: a form still being checked when its ack is due stays
    open saying Turnout is busy (not Slack's connection error), and its checks, when they end,
    save nothing, so sending it again cannot make a second shift."""
    view = shift_form(bot)
    monkeypatch.setattr(common, "ACK_WAIT_SECONDS", 0.3)
    checks = shift_admin.read_shift_form
    finished = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.8)
        finished.set()
        if fails:
            raise RuntimeError("a bug in the form's checks")
        return checks(*args, **kwargs)

    monkeypatch.setattr(shift_admin, "read_shift_form", slow)
    answered = bot.driver.submit(view, shift_values("16:00"), user="UCOORD")
    assert answered.status == 200, answered.body
    assert answered.ack == {"response_action": "errors", "errors": {"state": FORM_BUSY_TEXT}}
    assert finished.wait(5)
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle(timeout=30)
    assert shifts_saved(bot) == 0
    assert bot.slack.dms_to("UCOORD") == []
