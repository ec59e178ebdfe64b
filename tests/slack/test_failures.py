"""When things go wrong: Slack's 429 and 5xx, and an unexpected failure inside a listener."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

import handlers.shifts
from bot.localslack.reading import message_text
from bot.models import Delivery
from tests import factories as make
from tests.conftest import Bot

ADD = "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ"


def test_rate_limited_post_is_retried_and_lands_once(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.slack.fail_next("chat.postMessage", 429, retry_after=1)
    created = bot.command("/turnout", ADD, user="UADMIN")
    assert "posted it in <#CIOWA>" in created.text
    assert len(bot.slack.calls_to("chat.postMessage")) == 2
    assert len(bot.slack.posts_in("CIOWA")) == 1


def test_server_error_then_success_posts_once(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.slack.fail_next("chat.postMessage", 500, retry_after=None)
    bot.command("/turnout", ADD, user="UADMIN")
    assert len(bot.slack.posts_in("CIOWA")) == 1


def test_a_post_slack_keeps_refusing_is_recorded_as_failed_not_lost(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.slack.fail_next("chat.postMessage", 200, times=1, retry_after=None, error="not_in_channel")
    created = bot.command("/turnout", ADD, user="UADMIN")
    assert (
        "Added shift #1, but Slack would not post it in <#CIOWA> (Slack answered 200 not_in_channel)."
        in created.text
    )
    assert "invite @Turnout" in created.text and "keep trying" not in created.text
    with bot.deps.read_session() as session:
        (delivery,) = session.exec(select(Delivery)).all()
    assert delivery.status == "failed" and delivery.last_error == "not_in_channel"
    assert bot.slack.posts_in("CIOWA") == []


def test_an_unexpected_failure_still_answers_without_a_traceback(
    bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock())

    def broken(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.ProgrammingError(
            "SELECT … FROM signup", {}, Exception('relation "signup" does not exist')
        )

    monkeypatch.setattr(handlers.shifts, "claim_shift", broken)
    exchange = bot.command("/claim", str(shift_id))
    assert exchange.status == 200
    text = message_text(exchange.reply)
    assert "Something went wrong on Turnout's side and nothing was changed" in text
    assert "Traceback" not in text and "signup" not in text
