"""The weekly chart is a delivery of its own: it follows its digest, is retried when Slack does
not take it, and is uploaded once, even when an earlier try's outcome was unknown."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.models import Delivery, DeliveryKind
from bot.services.deliveries import take
from bot.services.schedule import Job
from bot.slack.uploads import chart_filename
from jobs.runner import run_due, run_job
from tests import factories as make
from tests.conftest import Bot
from tests.fastbot import slack_down, slack_up

KEY = "IA:2026-W47"  # the week ending Sunday 22 November 2026, the tests' first day


def setup(bot: Bot) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", "IA", bot.clock())
    bot.command("/turnout", "state IA #iowa", user="UADMIN")


def weekly(bot: Bot):  # type: ignore[no-untyped-def]
    """The weekly job for Iowa on Monday (the tests start on a Sunday)."""
    return run_job(bot.deps, Job.WEEKLY, "IA", bot.clock() + timedelta(days=1), team_id=None)


def tick(bot: Bot, **later: float) -> None:
    bot.clock.advance(**later)
    run_due(bot.deps, bot.clock())


def chart(bot: Bot) -> Delivery:
    with bot.deps.read_session() as session:
        (row,) = session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.WEEKLY_CHART)).all()
    return row


def test_a_chart_slack_did_not_take_is_retried_and_uploaded_once(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, "files.completeUploadExternal")
    outcome = weekly(bot)
    assert outcome.sent == 1 and outcome.failed == 1  # the digest went; the chart will be retried
    assert "it will be retried by the scheduler" in outcome.failures[0]
    assert len(bot.slack.dms_to("UCOORD")) == 1 and bot.slack.uploads == []
    assert chart(bot).status == "retry"
    slack_up(bot)
    tick(bot, minutes=1)
    (upload,) = bot.slack.uploads
    assert upload["channel"] == "DUCOORD" and upload["filename"] == "ia-2026-W47.png"
    assert upload["content"].startswith(b"\x89PNG")
    assert chart(bot).status == "sent"
    tick(bot, minutes=30)
    assert len(bot.slack.uploads) == 1 and len(bot.slack.dms_to("UCOORD")) == 1


def test_a_chart_answered_after_the_client_gave_up_is_found_not_uploaded_again(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    bot.slack.delay_next("files.completeUploadExternal", seconds=5)  # shared, answered too late
    weekly(bot)
    assert len(bot.slack.uploads) == 1
    assert (chart(bot).status, chart(bot).last_error) == ("retry", "no_answer")
    asked = len(bot.slack.calls_to("files.getUploadURLExternal"))
    tick(bot, minutes=1)
    assert len(bot.slack.uploads) == 1
    assert len(bot.slack.calls_to("files.getUploadURLExternal")) == asked  # found in history
    assert chart(bot).status == "sent" and chart(bot).message_ts == bot.slack.uploads[0]["id"]


def test_a_crash_after_the_chart_was_shared_does_not_upload_it_again(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, "files.getUploadURLExternal")
    weekly(bot)
    slack_up(bot)
    bot.clock.advance(minutes=1)
    with bot.deps.session() as session:  # a tick claims the chart, shares it, and dies
        row = session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.WEEKLY_CHART)).one()
        assert take(session, row, bot.clock()) is not None
    bot.client.files_upload_v2(channel="DUCOORD", file=b"\x89PNG...", filename=chart_filename(KEY), title="x")
    tick(bot, minutes=1)
    assert chart(bot).status == "claimed"  # not stale yet: nobody else sends it
    tick(bot, minutes=5)
    assert len(bot.slack.uploads) == 1 and chart(bot).status == "sent"


def test_a_chart_waits_for_its_digest_and_follows_it(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, "chat.postMessage")
    outcome = weekly(bot)
    assert outcome.sent == 0 and outcome.failed == 1  # the digest; the chart is not tried yet
    assert bot.slack.dms_to("UCOORD") == [] and bot.slack.calls_to("files.getUploadURLExternal") == []
    assert (chart(bot).status, chart(bot).attempts) == ("retry", 0)
    slack_up(bot)
    tick(bot, minutes=1)
    assert len(bot.slack.dms_to("UCOORD")) == 1 and len(bot.slack.uploads) == 1
    tick(bot, minutes=30)
    assert len(bot.slack.dms_to("UCOORD")) == 1 and len(bot.slack.uploads) == 1


def test_a_chart_is_given_up_with_its_digest(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    slack_down(bot, "chat.postMessage")
    weekly(bot)
    slack_up(bot)
    tick(bot, days=2)  # far past Monday's twelve-hour window
    assert bot.slack.dms_to("UCOORD") == [] and bot.slack.uploads == []
    assert chart(bot).status == "failed"


def test_a_rerun_of_the_weekly_job_uploads_nothing_more(fast_bot: Bot) -> None:
    bot = fast_bot
    setup(bot)
    weekly(bot)
    again = weekly(bot)
    assert again.sent == 0 and again.failed == 0
    assert len(bot.slack.dms_to("UCOORD")) == 1 and len(bot.slack.uploads) == 1
