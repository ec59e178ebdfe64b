"""A slash command whose work is quick is answered in its ack, one HTTP exchange; slow work, or a
request that already waited, is acked empty in time and answered through its response_url."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from slack_bolt import Respond
from slack_sdk.webhook import WebhookResponse
from sqlalchemy.engine import Engine

import handlers.common as common
import handlers.contacts as contacts
from bot.localslack.reading import message_text
from bot.localslack.signing import signed_headers
from bot.models import State
from handlers.common import SORRY, _ReplyInAck
from tests import factories
from tests.conftest import SIGNING_SECRET, Bot
from tests.factories import TEAM

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def iowa(bot: Bot) -> Bot:
    with bot.deps.session() as session:
        factories.coordinator(session, "UCOORD", "IA", bot.clock())
        factories.volunteer(session, "UVOL1", bot.clock(), name="ana")
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = "CIOWA"
        session.add(state)
    return bot


def send(
    bot: Bot, command: str, text: str, token: str, *, stamped: float | None = None
) -> tuple[int, str, float]:
    """A slash command as Slack sends it, stamped `stamped` (now by default); (status, ack, seconds)."""
    body = urlencode(
        {
            "command": command,
            "text": text,
            "user_id": "UVOL1",
            "channel_id": "CIOWA",
            "team_id": "T0TURNOUT",
            "response_url": bot.slack.response_url(token),
            "trigger_id": f"t.{token}",
        }
    ).encode()
    timestamp = int(time.time() if stamped is None else stamped)
    started = time.monotonic()
    status, ack = bot.driver.send_raw(body, signed_headers(SIGNING_SECRET, body, FORM, timestamp))
    return status, ack, time.monotonic() - started


@contextmanager
def database_held(engine: Engine, seconds: float) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or the volunteer table (PostgreSQL) for
    `seconds` from now, in the background."""
    taken = threading.Event()

    def hold() -> None:
        with engine.connect() as connection:
            transaction = connection.begin()  # BEGIN IMMEDIATE on SQLite: the write lock
            if engine.dialect.name == "postgresql":
                connection.execute(sa.text("LOCK TABLE volunteer IN ACCESS EXCLUSIVE MODE"))
            taken.set()
            time.sleep(seconds)
            transaction.rollback()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(10)
    try:
        yield
    finally:
        holder.join()


def wait_idle(bot: Bot) -> None:
    assert bot.driver.executor is not None
    bot.driver.executor.wait_idle()


def test_a_quick_command_is_answered_in_its_ack_without_a_second_request(iowa: Bot) -> None:
    status, ack, _seconds = send(iowa, "/log", "3 doors 1 convos", "quick")
    wait_idle(iowa)
    assert status == 200
    assert '"response_type": "ephemeral"' in ack and "Recorded 3 doors" in ack
    assert iowa.slack.responses("quick") == []  # nothing came through the response_url


def test_the_driver_shows_a_reply_in_the_ack_as_slack_does(iowa: Bot) -> None:
    exchange = iowa.command("/log", "2 doors", user="UVOL1", channel="CIOWA")
    assert "Recorded 2 doors" in exchange.text
    assert exchange.ack["response_type"] == "ephemeral" and len(exchange.replies) == 1


def test_slow_work_is_acked_empty_in_time_and_answered_through_the_response_url(
    iowa: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "REPLY_WAIT_SECONDS", 0.2)
    with database_held(iowa.deps.engine, 0.8):
        status, ack, seconds = send(iowa, "/log", "4 doors", "slow")
    wait_idle(iowa)
    assert (status, ack) == (200, "") and seconds < 0.6
    (reply,) = iowa.slack.responses("slow")
    assert "Recorded 4 doors" in message_text(reply)


def test_a_request_that_already_waited_is_acked_at_once(iowa: Bot) -> None:
    # Stamped two seconds ago by Slack: it waited somewhere already, so no more waiting here.
    with database_held(iowa.deps.engine, 0.8):
        status, ack, seconds = send(iowa, "/log", "5 doors", "late", stamped=time.time() - 2)
    wait_idle(iowa)
    assert (status, ack) == (200, "") and seconds < 0.5
    (reply,) = iowa.slack.responses("late")
    assert "Recorded 5 doors" in message_text(reply)


def filled(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The listener pool's one place is taken by work that ends when the event is set."""
    pool = bot.driver.executor
    assert pool is not None
    monkeypatch.setattr(pool, "limit", 1)
    release = threading.Event()
    assert pool.admit(0)
    pool.start_admitted(release.wait, 10)
    return release


def logged_doors(bot: Bot) -> int:
    with bot.deps.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT coalesce(sum(doors), 0) FROM contactlog")).scalar_one())


def test_a_command_the_pool_has_no_room_for_is_told_turnout_is_busy_and_nothing_is_done(
    iowa: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = filled(iowa, monkeypatch)
    try:
        # Stamped a second ago: it may wait for room about a second more before its ack is due.
        status, ack, seconds = send(iowa, "/log", "6 doors", "busy", stamped=time.time() - 1)
    finally:
        release.set()
    wait_idle(iowa)
    assert status == 200 and seconds < 2.5
    assert "too busy to take this" in ack and "nothing was changed" in ack
    assert "demasiado ocupado" in ack  # said in every language: the caller's is not looked up
    assert iowa.slack.responses("busy") == [] and logged_doors(iowa) == 0
    status, ack, _seconds = send(iowa, "/log", "6 doors", "again")
    assert "Recorded 6 doors" in ack and logged_doors(iowa) == 6


def test_a_request_stamped_ahead_of_the_server_s_clock_waits_for_room_no_longer(
    iowa: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = filled(iowa, monkeypatch)
    try:
        status, ack, seconds = send(iowa, "/log", "8 doors", "ahead", stamped=time.time() + 60)
    finally:
        release.set()
    wait_idle(iowa)
    assert status == 200 and "too busy to take this" in ack
    assert seconds < common.ACK_DEADLINE_SECONDS + 0.5 and logged_doors(iowa) == 0


def test_a_command_waits_for_room_that_comes_before_its_ack_is_due(
    iowa: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = filled(iowa, monkeypatch)
    threading.Timer(0.3, release.set).start()
    status, ack, seconds = send(iowa, "/log", "7 doors", "waited")
    wait_idle(iowa)
    assert status == 200 and "Recorded 7 doors" in ack and seconds >= 0.3
    assert logged_doors(iowa) == 7


def test_a_failure_is_apologised_for_in_the_ack(iowa: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the stats are broken")

    monkeypatch.setattr(contacts, "state_stats", broken)
    status, ack, _seconds = send(iowa, "/stats", "IA", "broken")
    wait_idle(iowa)
    assert status == 200 and SORRY in ack and "the stats are broken" not in ack
    assert iowa.slack.responses("broken") == []


class Recording(Respond):
    """A response_url that records what was posted to it, in order."""

    def __init__(self) -> None:
        super().__init__(response_url="https://hooks.example/response")
        self.posted: list[dict[str, Any]] = []

    def __call__(self, text: str | dict[str, Any] = "", **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        self.posted.append({"text": text, **kwargs})
        return WebhookResponse(url="", status_code=200, body="ok", headers={})


def test_a_second_reply_is_posted_after_the_first_has_gone_with_the_ack() -> None:
    posted = Recording()
    reply = _ReplyInAck(posted)
    reply(text="first", blocks=[], response_type="ephemeral")
    second = threading.Thread(target=lambda: reply(text="second", response_type="ephemeral"))
    second.start()
    second.join(0.2)
    assert second.is_alive() and posted.posted == []  # it waits for the ack carrying the first
    assert reply.seal() == {"text": "first", "blocks": [], "response_type": "ephemeral"}
    reply.sent()
    second.join(5)
    assert [p["text"] for p in posted.posted] == ["second"]


def test_replies_an_ack_cannot_carry_go_through_the_response_url() -> None:
    posted = Recording()
    reply = _ReplyInAck(posted)
    reply(text="for everyone", response_type="in_channel")
    reply(text="in place", replace_original=True)
    assert [p["text"] for p in posted.posted] == ["for everyone", "in place"]
    reply(text="plain")  # the first plain reply still goes with the ack
    assert reply.seal() == {"text": "plain", "blocks": None, "response_type": "ephemeral"}


def test_a_reply_after_the_ack_went_empty_goes_through_the_response_url() -> None:
    posted = Recording()
    reply = _ReplyInAck(posted)
    assert reply.seal() is None
    reply.sent()
    reply(text="late")
    assert [p["text"] for p in posted.posted] == ["late"]
