"""A `Bot` whose Web API client gives up fast: a short timeout, and slack_sdk's own retries of
5xx answers and dropped connections without their waits, so fault tests run in seconds.

The stand-in stamps messages by the bot's clock, so a history lookup (`oldest`) sees what the
bot would see against Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from bot.cli.app import build_app, build_wsgi
from bot.config import Settings
from bot.deps import Deps
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.slack.client import make_client
from bot.slack.workspaces import OneWorkspace
from tests.conftest import SIGNING_SECRET, Bot, Clock

CLIENT_TIMEOUT = 2.5  # beyond what a loaded machine takes to answer; injected delays go past it
FIVE_HUNDREDS = 4  # slack_sdk retries a 5xx three times: four answers make one failed try


@pytest.fixture
def fast_bot(deps: Deps, slack: LocalSlack, clock: Clock, settings: Settings) -> Iterator[Bot]:
    client = make_client(
        replace(settings, slack_api_url=slack.api_url),
        timeout=CLIENT_TIMEOUT,
        retry_interval=FixedValueRetryIntervalCalculator(0.0),
    )
    slack.clock = lambda: clock().timestamp()
    # Scheduled work reaches the stand-in with the same fast client.
    deps = replace(deps, workspaces=OneWorkspace(client, TEAM_ID))
    executor = TrackingExecutor()
    app = build_app(deps, client=client, executor=executor)
    driver = SlackDriver(build_wsgi(app, deps), slack, SIGNING_SECRET, executor)
    yield Bot(driver, slack, deps, clock, client)
    executor.shutdown(wait=True)


def slack_down(bot: Bot, method: str = "chat.postMessage", tries: int = 1) -> None:
    """Slack answers `method` with 500 for the next `tries` tries (each retried by the client)."""
    bot.slack.fail_next(method, 500, times=FIVE_HUNDREDS * tries, retry_after=None)


def slack_up(bot: Bot) -> None:
    with bot.slack.lock:
        bot.slack.failures.clear()
        bot.slack.delays.clear()
