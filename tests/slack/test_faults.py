"""Fault injection: for each kind of call Turnout makes (channel posts, post updates, DMs,
views, uploads), Slack answers 5xx, rate-limits (429) past the client's own retries, or answers
only after the client gave up; then Slack recovers and the scheduler ticks. Afterwards every
message owed was delivered exactly once (counted in the stand-in) and every request Slack sent
the bot was answered.

What does not hold yet is marked `xfail(strict=True)` with the reason, so it cannot silently
start or stop holding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.localslack.driver import Exchange
from bot.localslack.reading import message_text
from bot.localslack.webapi import Message
from bot.services.schedule import Job
from jobs.runner import run_due, run_job
from tests import factories as make
from tests.conftest import Bot
from tests.fastbot import FIVE_HUNDREDS, slack_up

ADD = "shift add IA 2026-11-28 10:00-13:00 canvass 5 Des Moines HQ"
RATE_LIMIT_RETRIES = 5  # slack_sdk's RateLimitErrorRetryHandler as configured in make_client
SLACK_WAITS = 3.0  # seconds Slack waits for a request to be answered


def inject(bot: Bot, method: str, fault: str) -> None:
    if fault == "5xx":
        bot.slack.fail_next(method, 503, times=FIVE_HUNDREDS, retry_after=None)
    elif fault == "429":
        bot.slack.fail_next(method, 429, times=RATE_LIMIT_RETRIES + 1, retry_after=0)
    else:
        bot.slack.delay_next(method, seconds=5)  # the fast client gives up after 2.5 s


def recover_and_tick(bot: Bot) -> None:
    slack_up(bot)
    for later in (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)):
        bot.clock.advance(seconds=later.total_seconds())
        run_due(bot.deps, bot.clock())


def answered(exchange: Exchange, *, reply: bool = True) -> None:
    assert exchange.status == 200, exchange.body
    assert exchange.acked_in < SLACK_WAITS, f"answered after {exchange.acked_in:.1f} s"
    if reply:
        assert exchange.replies, "the request got no answer"
        assert "Traceback" not in exchange.text


def shift_posts(bot: Bot) -> list[Message]:
    return [m for m in bot.slack.posts_in("CIOWA") if m.text.startswith("Shift #")]


def post(bot: Bot, fault: str) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    inject(bot, "chat.postMessage", fault)
    answered(bot.command("/turnout", ADD, user="UADMIN"))
    recover_and_tick(bot)
    assert len(shift_posts(bot)) == 1


def update(bot: Bot, fault: str) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", ADD, user="UADMIN")
    inject(bot, "chat.update", fault)
    answered(bot.command("/claim", "1", user="UVOL1"))
    recover_and_tick(bot)
    (shown,) = shift_posts(bot)
    assert "1/5" in shown.text  # the post caught up with the claim


def dm(bot: Bot, fault: str) -> None:
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    inject(bot, "chat.postMessage", fault)
    answered(bot.command("/unclaim", str(shift_id), user="UVOL1"))
    recover_and_tick(bot)
    (promoted,) = bot.slack.dms_to("UVOL2")
    assert "it's yours" in message_text(promoted)


def views_open(bot: Bot, fault: str) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    inject(bot, "views.open", fault)
    opened = bot.command("/turnout", "shift add", user="UCOORD")
    answered(opened, reply=opened.view is None)
    recover_and_tick(bot)
    assert opened.view is not None and len(bot.slack.views) == 1


def views_publish(bot: Bot, fault: str) -> None:
    inject(bot, "views.publish", fault)
    event = bot.driver.event({"type": "app_home_opened", "user": "UVOL1", "tab": "home", "channel": "DUVOL1"})
    answered(event, reply=False)
    recover_and_tick(bot)
    home = bot.slack.home_views.get("UVOL1", {})
    assert any(b.get("text", {}).get("text") == "Your Turnout" for b in home.get("blocks", [])), home


def upload(bot: Bot, fault: str) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    inject(bot, "files.completeUploadExternal", fault)
    monday = bot.clock() + timedelta(days=1)  # START is a Sunday
    run_job(bot.deps, Job.WEEKLY, "IA", monday, team_id=None)
    recover_and_tick(bot)
    assert len(bot.slack.dms_to("UCOORD")) == 1
    assert len(bot.slack.uploads) == 1


SURFACES: dict[str, Callable[[Bot, str], None]] = {
    "post": post,
    "update": update,
    "dm": dm,
    "views.open": views_open,
    "views.publish": views_publish,
    "upload": upload,
}
# A trigger_id lives 3 s, so a form Slack did not open cannot be opened later; the person is
# told so and asks again (tests/slack/test_forms.py).
FORM_NOT_RETRIABLE = "a trigger_id lives 3 s: a form Slack did not open cannot be opened later"
NOT_YET = {("views.open", "5xx"): FORM_NOT_RETRIABLE, ("views.open", "429"): FORM_NOT_RETRIABLE}
CASES = [
    pytest.param(
        surface,
        fault,
        id=f"{surface}-{fault}",
        marks=[pytest.mark.xfail(strict=True, reason=NOT_YET[surface, fault])]
        if (surface, fault) in NOT_YET
        else [],
    )
    for surface in SURFACES
    for fault in ("5xx", "429", "hang")
]


@pytest.mark.parametrize(("surface", "fault"), CASES)
def test_after_a_fault_and_recovery_every_owed_message_is_delivered_once(
    fast_bot: Bot, surface: str, fault: str
) -> None:
    SURFACES[surface](fast_bot, fault)
