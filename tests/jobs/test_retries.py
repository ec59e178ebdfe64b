"""Scheduled posts are retried with backoff while they are still worth sending, never given
up on after a handful of quick failures, and never retried when retrying cannot help."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.models import Delivery
from bot.services.deliveries import backoff
from jobs.runner import run_due
from tests.conftest import Bot
from tests.fastbot import slack_down, slack_up
from tests.jobs.test_schedule import setup


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)


def morning(bot: Bot) -> Delivery:
    with bot.deps.read_session() as session:
        (delivery,) = session.exec(select(Delivery).where(Delivery.kind == "morning")).all()
    return delivery


def morning_posts(bot: Bot) -> int:
    return sum("Good morning" in m.text for m in bot.slack.posts_in("CIOWA"))


def test_backoff_doubles_from_thirty_seconds_up_to_a_cap_with_jitter() -> None:
    middle = [backoff(n, rand=lambda: 0.5) for n in range(1, 9)]
    assert middle[:6] == [timedelta(seconds=s) for s in (30, 60, 120, 240, 480, 900)]
    assert middle[6:] == [timedelta(minutes=15)] * 2
    assert backoff(1, rand=lambda: 0.0) == timedelta(seconds=24)
    assert backoff(1, rand=lambda: 1.0) == timedelta(seconds=36)


def test_a_morning_digest_survives_ten_minutes_of_slack_errors_and_posts_once(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, tries=6)  # more failed tries than the old five-attempt limit
    at = local("2026-11-24T09:00")
    while at <= local("2026-11-24T09:20"):
        bot.clock.now = at
        run_due(bot.deps, at)
        at += timedelta(seconds=30)
    assert morning_posts(bot) == 0
    delivery = morning(bot)
    assert delivery.status == "retry" and delivery.attempts == 6
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > local("2026-11-24T09:20")
    slack_up(bot)
    bot.clock.now = local("2026-11-24T09:45")
    run_due(bot.deps, bot.clock())
    run_due(bot.deps, bot.clock() + timedelta(minutes=30))
    assert morning_posts(bot) == 1
    assert morning(bot).status == "sent"


def test_tries_are_spaced_out_not_made_every_tick(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, tries=100)
    at = local("2026-11-24T09:00")
    while at <= local("2026-11-24T09:30"):
        bot.clock.now = at
        run_due(bot.deps, at)
        at += timedelta(seconds=30)
    # 61 ticks; 30 s, 1, 2, 4, 8, 15 min… leaves room for at most seven tries in 30 minutes.
    assert 5 <= morning(bot).attempts <= 7


def test_a_post_is_given_up_once_its_window_has_passed(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, tries=1)
    bot.clock.now = local("2026-11-24T09:00")
    run_due(bot.deps, bot.clock())
    slack_up(bot)
    bot.clock.now = local("2026-11-24T11:01")
    run_due(bot.deps, bot.clock())
    assert morning_posts(bot) == 0
    delivery = morning(bot)
    assert delivery.status == "failed" and delivery.last_error == "no longer useful"


def test_an_error_retrying_cannot_cure_fails_at_once_and_is_not_retried(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    bot.slack.fail_next("chat.postMessage", 200, times=1, retry_after=None, error="channel_not_found")
    bot.clock.now = local("2026-11-24T09:00")
    run_due(bot.deps, bot.clock())
    tries = len(bot.slack.calls_to("chat.postMessage"))
    for minutes in (1, 5, 30, 90):
        run_due(bot.deps, bot.clock() + timedelta(minutes=minutes))
    assert len(bot.slack.calls_to("chat.postMessage")) == tries == 1
    delivery = morning(bot)
    assert delivery.status == "failed" and delivery.last_error == "channel_not_found"
    assert delivery.attempts == 1 and delivery.next_attempt_at is None
