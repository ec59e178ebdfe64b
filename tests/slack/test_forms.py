"""A form Slack did not open cannot be opened later (its trigger lives three seconds), so the
person is told, in words that say what happened, and asking again opens it."""

from __future__ import annotations

import pytest

from bot.blocks import actions as act
from bot.slack.forms import NO_ANSWER, NOT_OPENED, TOO_LATE
from tests import factories as make
from tests.conftest import Bot
from tests.fastbot import FIVE_HUNDREDS

RATE_LIMIT_RETRIES = 5  # slack_sdk's RateLimitErrorRetryHandler as configured in make_client


def refuse(bot: Bot, fault: str) -> None:
    if fault == "5xx":
        bot.slack.fail_next("views.open", 503, times=FIVE_HUNDREDS, retry_after=None)
    else:
        bot.slack.fail_next("views.open", 429, times=RATE_LIMIT_RETRIES + 1, retry_after=0)


ASKS = {"shift add": ("/turnout", "shift add", "UCOORD"), "log": ("/log", "", "UVOL1")}


# A 429 costs the client's own retries (seconds): one surface is enough to show it is told too.
@pytest.mark.parametrize(("ask", "fault"), [("shift add", "5xx"), ("shift add", "429"), ("log", "5xx")])
def test_a_form_slack_did_not_open_is_explained_and_opens_when_asked_again(
    fast_bot: Bot, ask: str, fault: str
) -> None:
    bot = fast_bot
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    command, text, user = ASKS[ask]
    refuse(bot, fault)
    refused = bot.command(command, text, user=user)
    assert refused.view is None
    (reply,) = refused.replies
    assert reply.text == NOT_OPENED and reply.ephemeral_to == user
    again = bot.command(command, text, user=user)
    assert again.view is not None and again.replies == []


def test_a_form_slack_was_too_slow_to_answer_for_says_it_may_not_have_opened(fast_bot: Bot) -> None:
    bot = fast_bot
    bot.slack.delay_next("views.open", seconds=5)  # the fast client gives up after 2.5 s
    opened = bot.command("/log", "", user="UVOL1")
    (reply,) = opened.replies
    assert reply.text == NO_ANSWER


def test_an_expired_trigger_says_to_ask_again(fast_bot: Bot) -> None:
    bot = fast_bot
    bot.slack.fail_next("views.open", 200, retry_after=None, error="expired_trigger_id")
    (reply,) = bot.command("/log", "", user="UVOL1").replies
    assert reply.text == TOO_LATE


def test_the_home_tab_says_so_when_slack_did_not_open_the_log_form(fast_bot: Bot) -> None:
    bot = fast_bot
    bot.driver.event({"type": "app_home_opened", "user": "UVOL1", "tab": "home", "channel": "DUVOL1"})
    refuse(bot, "5xx")
    bot.driver.click_view(bot.slack.home_views["UVOL1"], act.HOME_LOG, user="UVOL1")
    blocks = bot.slack.home_views["UVOL1"]["blocks"]
    assert blocks[0]["text"]["text"] == "Your Turnout"
    assert blocks[1]["text"]["text"] == f":warning: {NOT_OPENED}"
