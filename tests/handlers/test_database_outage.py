"""With the database out of reach, every kind of request is still answered, and says so."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.blocks import actions as act
from bot.cli.app import build_app, build_wsgi
from bot.config import Settings
from bot.db import create_db_engine
from bot.deps import make_deps
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.services.shifts import ListingQuery
from bot.slack.client import make_client
from bot.slack.pacing import Pacer
from bot.slack.profiles import ProfileRefresher
from bot.slack.redraws import Coalescer
from tests.conftest import SIGNING_SECRET, Bot, Clock
from tests.handlers.forging import answered, log_form, log_values, press, shift_form, shift_values, submit

UNREACHABLE = "Turnout can't reach its database right now; nothing was changed. Please try again in a minute."
SLACK_WAITS = 3.0  # seconds Slack waits for a request to be answered


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def down_bot(slack: LocalSlack, clock: Clock, settings: Settings) -> Iterator[Bot]:
    """The real app, its database a PostgreSQL URL on a port nothing listens on."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/turnout"
    engine = create_db_engine(url, connect_args={"connect_timeout": 2})
    deps = replace(
        make_deps(settings, engine=engine, clock=clock, team_id=TEAM_ID),
        make_pacer=lambda: Pacer(1000, sleep=lambda _s: None),
        redraws=Coalescer(0.0),
        profiles=ProfileRefresher(0.0),
    )
    client = make_client(replace(settings, slack_api_url=slack.api_url))
    executor = TrackingExecutor()
    driver = SlackDriver(
        build_wsgi(build_app(deps, client=client, executor=executor), deps), slack, SIGNING_SECRET, executor
    )
    yield Bot(driver, slack, deps, clock, client)
    executor.shutdown(wait=True)
    engine.dispose()


COMMANDS = [
    ("UVOL1", "/shifts", ""),
    ("UVOL1", "/shifts", "IA week"),
    ("UVOL1", "/claim", "1"),
    ("UVOL1", "/unclaim", "1"),
    ("UVOL1", "/myshifts", ""),
    ("UVOL1", "/log", ""),
    ("UVOL1", "/log", "5 doors"),
    ("UVOL1", "/log", "undo"),
    ("UVOL1", "/stats", ""),
    ("UVOL1", "/stats", "IA"),
    ("UVOL1", "/leaderboard", ""),
    ("UVOL1", "/turnout", "help"),
    ("UVOL1", "/turnout", "home IA"),
    ("UADMIN", "/turnout", "roster 1"),
    ("UADMIN", "/turnout", "goal IA 50 doors"),
    ("UADMIN", "/turnout", "shift cancel 1"),
    ("UADMIN", "/turnout", "shift add"),
    ("UADMIN", "/turnout", "schedule IA"),
    ("UADMIN", "/turnout", "cutoff IA 3"),
    ("UADMIN", "/turnout", "export IA"),
    ("UVOL1", "/host", "IA 2026-11-28 10:00-13:00 canvass 8 Porch"),
    ("UVOL1", "/host", ""),
    ("UADMIN", "/turnout", "proposals IA"),
    ("UADMIN", "/turnout", "host <@UVOL2> IA"),
    ("UADMIN", "/turnout", "leads IA"),
]


@pytest.mark.parametrize(("user", "command", "text"), COMMANDS)
def test_every_command_says_the_database_is_unreachable(
    down_bot: Bot, user: str, command: str, text: str
) -> None:
    exchange = down_bot.command(command, text, user=user)
    assert exchange.status == 200 and exchange.acked_in < SLACK_WAITS, exchange.acked_in
    told = answered(exchange, down_bot, user)
    assert UNREACHABLE in told, told
    assert "Traceback" not in told


LISTING = act.list_surface(ListingQuery("IA", "week", None).encode())
CLICKS = [
    (act.CLAIM, "1|card"),
    (act.JOIN_WAITLIST, f"1|{LISTING}"),
    (act.CONFIRM, "1|mine"),
    (act.RELEASE, "1|card"),
    (act.ATTENDED, "1|roster"),
    (act.NO_SHOW, "1|roster"),
    (act.REMOVE, "1|roster@10"),
    (act.LOG_FOR_SHIFT, "1"),
    (act.SHIFTS_PAGE, f"{LISTING}@10"),
    (act.MYSHIFTS_PAGE, "mine@10"),
    (act.ROSTER_PAGE, "1|roster@10"),
    (act.HOME_CLAIM, "1"),
    (act.HOME_CONFIRM, "1"),
    (act.HOME_RELEASE, "1"),
    (act.HOME_LOG, "log"),
    (act.HOME_FIND, "find"),
    (act.APPROVE, "1|proposal"),
    (act.DECLINE, "1|proposals:IA@10"),
    (act.PROPOSALS_PAGE, "proposals:*@10"),
]


@pytest.mark.parametrize(("action_id", "value"), CLICKS)
def test_every_button_says_the_database_is_unreachable(down_bot: Bot, action_id: str, value: str) -> None:
    exchange = press(down_bot, action_id, value, user="UADMIN")
    assert exchange.status == 200 and exchange.acked_in < SLACK_WAITS, exchange.acked_in
    told = answered(exchange, down_bot, "UADMIN")
    assert UNREACHABLE in told, told
    assert "Traceback" not in told


def test_a_log_form_submitted_during_an_outage_stays_open_and_says_why(down_bot: Bot) -> None:
    exchange = submit(down_bot, log_form(), log_values(doors="12"))
    assert exchange.status == 200 and exchange.acked_in < SLACK_WAITS, exchange.acked_in
    assert exchange.ack["response_action"] == "errors"
    assert UNREACHABLE[:150] in exchange.ack["errors"].values()


def test_a_shift_form_submitted_during_an_outage_is_answered(down_bot: Bot) -> None:
    exchange = submit(down_bot, shift_form(), shift_values(), user="UADMIN")
    assert exchange.status == 200 and exchange.acked_in < SLACK_WAITS, exchange.acked_in
    ack = exchange.ack
    assert ack == {} or ack.get("response_action") == "errors"
    assert UNREACHABLE[:150] in answered(exchange, down_bot, "UADMIN")


def test_hosting_forms_submitted_during_an_outage_say_why(down_bot: Bot) -> None:
    host_form = {**shift_form(), "callback_id": act.HOST_FORM}
    hosted = submit(down_bot, host_form, shift_values(), user="UVOL1")
    assert hosted.status == 200 and UNREACHABLE[:150] in answered(hosted, down_bot, "UVOL1")
    decline = {"id": "VDECLINE", "type": "modal", "callback_id": act.DECLINE_FORM, "private_metadata": "1"}
    reason = {"reason": {"reason": {"type": "plain_text_input", "value": "We have one there already"}}}
    declined = submit(down_bot, {**decline, "blocks": []}, reason, user="UADMIN")
    assert declined.status == 200 and UNREACHABLE in str(declined.ack["view"])


def test_opening_the_app_home_during_an_outage_shows_why(down_bot: Bot) -> None:
    exchange = down_bot.driver.event(
        {"type": "app_home_opened", "user": "UVOL1", "tab": "home", "channel": "DUVOL1"}
    )
    assert exchange.status == 200 and exchange.acked_in < SLACK_WAITS, exchange.acked_in
    published = down_bot.slack.calls_to("views.publish")
    assert published and UNREACHABLE in str(published[-1].params["view"])
