"""Nothing of the database is held while Slack is waited on. A reply that goes through a slow
response_url holds no lock and no pooled connection: a log form submitted meanwhile (acked only
once its counts are written) is acked at once. And no thread takes a second pooled connection
while it holds one: with the pool in use by other threads, it would wait for the pool's timeout
with a lock held."""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from slack_bolt import Respond
from slack_sdk.webhook.client import WebhookClient
from sqlalchemy.engine import Engine

from bot.blocks import actions as act
from bot.models import ContactLog, Signup
from handlers import common
from tests import factories as make
from tests.conftest import Bot
from tests.handlers.forging import log_form, log_values

SLOW_SECONDS = 3.0


@pytest.fixture
def slow_redraws(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Slack's response_url answers a reply that redraws a message 3 s late; the event is set
    once such a reply is under way."""
    under_way = threading.Event()
    post = WebhookClient._perform_http_request

    def slow(self: WebhookClient, *, body: dict[str, Any], headers: dict[str, str]) -> Any:
        if body.get("replace_original"):
            under_way.set()
            time.sleep(SLOW_SECONDS)
        return post(self, body=body, headers=headers)

    monkeypatch.setattr(WebhookClient, "_perform_http_request", slow)
    return under_way


def count(bot: Bot, model: Any) -> int:
    with bot.deps.read_session() as session:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())


@pytest.mark.parametrize("button", [act.CLAIM, act.CONFIRM])
def test_a_click_answered_through_a_slow_response_url_holds_no_lock(
    bot: Bot, slow_redraws: threading.Event, button: str
) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=50)
        if button == act.CONFIRM:
            make.signup(session, shift_id, "UVOL2", bot.clock())
    bot.command("/turnout", "home IA", user="UVOL1")
    mine = bot.command("/myshifts", user="UVOL2").reply if button == act.CONFIRM else None
    listing = mine or bot.command("/shifts", "IA", user="UVOL2").reply
    clicking = threading.Thread(target=bot.click, args=(listing, button), kwargs={"user": "UVOL2"})
    clicking.start()
    try:
        assert slow_redraws.wait(10), "the click was not answered by a redraw"
        form = bot.driver.submit(log_form("VLOGHELD"), log_values(doors="3"), user="UVOL1")
    finally:
        clicking.join()
    assert form.status == 200 and form.acked_in < 1.0, f"the form waited {form.acked_in:.1f} s"
    assert count(bot, ContactLog) == 1 and count(bot, Signup) == 1


def test_a_claim_answered_through_a_slow_response_url_holds_its_shift_for_no_one(
    bot: Bot, slow_redraws: threading.Event
) -> None:
    """Another claim on the same shift, made while the first click's answer is on its way, is
    answered at once, in its ack (PostgreSQL's row lock on the shift, SQLite's write lock)."""
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=50)
    listing = bot.command("/shifts", "IA", user="UVOL2").reply
    clicking = threading.Thread(target=bot.click, args=(listing, act.CLAIM), kwargs={"user": "UVOL2"})
    clicking.start()
    try:
        assert slow_redraws.wait(10), "the click was not answered by a redraw"
        other = bot.command("/claim", str(shift_id), user="UVOL3")
    finally:
        clicking.join()
    assert other.acked_in < 1.0 and "You're on shift" in other.ack.get("text", ""), other.body
    assert count(bot, Signup) == 2


@pytest.mark.parametrize(
    "failure",
    [
        urllib.error.URLError("timed out"),
        http.client.RemoteDisconnected("closed"),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "an answer that cannot be read"),
    ],
)
def test_a_claim_whose_answer_cannot_reach_slack_still_tells_the_host(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    """Answered after its commit, a claim stands whether or not its answer reaches Slack, and
    what follows it (the host's DM, the channel post's redraw) happens either way."""
    with bot.deps.session() as session:
        make.volunteer(session, "UVOL5", bot.clock())
        make.shift(session, bot.clock(), host="UVOL5", capacity=5)
    listing = bot.command("/shifts", "IA", user="UVOL2").reply

    def unreachable(self: WebhookClient, *, body: dict[str, Any], headers: dict[str, str]) -> Any:
        raise failure

    monkeypatch.setattr(WebhookClient, "_perform_http_request", unreachable)
    bot.click(listing, act.CLAIM, user="UVOL2")
    assert count(bot, Signup) == 1
    assert [m.text for m in bot.slack.dms_to("UVOL5")], "the host was not told of the claim"


@contextmanager
def connections_per_thread(engine: Engine) -> Iterator[Counter[int]]:
    """The most pooled connections each thread held at once, while the block runs."""
    held: Counter[int] = Counter()
    most: Counter[int] = Counter()
    lock = threading.Lock()

    def checkout(*_: Any) -> None:
        with lock:
            me = threading.get_ident()
            held[me] += 1
            most[me] = max(most[me], held[me])

    def checkin(*_: Any) -> None:
        with lock:
            held[threading.get_ident()] -= 1

    sa.event.listen(engine, "checkout", checkout)
    sa.event.listen(engine, "checkin", checkin)
    try:
        yield most
    finally:
        sa.event.remove(engine, "checkout", checkout)
        sa.event.remove(engine, "checkin", checkin)


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/turnout", "people IA"),
        ("/turnout", "goal IA 0 doors"),
        ("/turnout", "goal IA 200 doors"),
        ("/stats", "IA"),
        ("/stats", ""),
    ],
)
def test_no_thread_holds_two_connections_at_once(bot: Bot, command: str, text: str) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    with connections_per_thread(bot.deps.engine) as most:
        answer = bot.command(command, text, user="UCOORD")
    assert answer.text and "went wrong" not in answer.text
    assert most and max(most.values()) == 1, dict(most)


def test_a_response_url_that_never_answers_holds_a_listener_thread_only_briefly(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A click's answer goes through its response_url; one that takes the request and never
    answers is given up on after `RESPONSE_URL_TIMEOUT` (here half a second), not slack_sdk's
    30 s, so the listener thread is free again for the next request. The claim stands."""
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), capacity=50)
    listing = bot.command("/shifts", "IA", user="UVOL2").reply
    monkeypatch.setattr(common, "RESPONSE_URL_TIMEOUT", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # takes connections, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/response/silent"
        monkeypatch.setattr(bot.slack, "response_url", lambda _token: url)
        clicked = bot.click(listing, act.CLAIM, user="UVOL2", wait=False)
        started = time.monotonic()
        assert bot.driver.executor is not None
        bot.driver.executor.wait_idle(timeout=10)
        held = time.monotonic() - started
    assert clicked.status == 200
    assert held < 5, f"the click's thread was held {held:.1f} s"
    assert count(bot, Signup) == 1


def test_the_last_resort_apology_waits_on_a_silent_response_url_only_briefly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's error handler gets Bolt's own `respond` (30 s, then a retry): its apology
    waits `RESPONSE_URL_TIMEOUT` at most, as every other answer does."""
    monkeypatch.setattr(common, "RESPONSE_URL_TIMEOUT", 0.5)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # takes connections, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/response/silent"
        started = time.monotonic()
        common.handle_error(
            RuntimeError("an ack that failed"), {"response_url": url}, Respond(response_url=url)
        )
        held = time.monotonic() - started
    assert held < 5, f"the apology waited {held:.1f} s"
