"""Hosting's messages are owed like every other: a proposal Slack did not take is retried while
it waits for a decision and dropped once it is decided; a decision the host did not get is
retried until it lands, once."""

from __future__ import annotations

from sqlmodel import select

from bot.blocks import actions as act
from bot.localslack.reading import message_text
from bot.models import Delivery, DeliveryKind, DeliveryStatus
from jobs.runner import run_due
from tests.conftest import Bot
from tests.fastbot import slack_down, slack_up

HOST_LINE = "IA 2026-11-28 10:00-13:00 canvass 8 Ana's porch"


def tick(bot: Bot, minutes: float) -> None:
    bot.clock.advance(minutes=minutes)
    run_due(bot.deps, bot.clock())


def proposals_owed(bot: Bot) -> list[Delivery]:
    with bot.deps.read_session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.PROPOSAL)))


def campaign(bot: Bot) -> None:
    bot.command("/turnout", "state IA #iowa", user="UADMIN")
    bot.command("/turnout", "coordinator <@UCOORD> IA", user="UADMIN")


def test_a_proposal_slack_did_not_take_is_retried_and_lands_once(fast_bot: Bot) -> None:
    bot = fast_bot
    campaign(bot)
    slack_down(bot)
    sent = bot.command("/host", HOST_LINE, user="UVOL1")
    assert "Thanks for hosting!" in sent.text and bot.slack.dms_to("UCOORD") == []
    slack_up(bot)
    tick(bot, minutes=1)
    tick(bot, minutes=5)
    (copy,) = bot.slack.dms_to("UCOORD")
    assert "offers to host a canvass" in message_text(copy)
    bot.click(copy, act.APPROVE, user="UCOORD")
    assert "*Approved* by <@UCOORD>" in message_text(copy)


def test_a_proposal_decided_before_its_copy_landed_is_never_sent(fast_bot: Bot) -> None:
    bot = fast_bot
    campaign(bot)
    bot.slack.add_person("UCODY", "cody")
    bot.clock.advance(minutes=1)  # Cody coordinates after Cora, so Cora's copy goes first
    bot.command("/turnout", "coordinator <@UCODY> IA", user="UADMIN")
    slack_down(bot, tries=1)  # the first copy (to Cora) is not taken; Cody's is
    bot.command("/host", HOST_LINE, user="UVOL1")
    (cody,) = bot.slack.dms_to("UCODY")
    assert bot.slack.dms_to("UCOORD") == []
    bot.click(cody, act.APPROVE, user="UCODY")
    slack_up(bot)
    tick(bot, minutes=1)
    tick(bot, minutes=5)
    assert bot.slack.dms_to("UCOORD") == []  # its buttons would offer a decision already taken
    assert {d.target: d.status for d in proposals_owed(bot)} == {
        "UCOORD": DeliveryStatus.FAILED,
        "UCODY": DeliveryStatus.SENT,
    }


def test_the_hosts_decision_dm_is_retried_until_it_lands_once(fast_bot: Bot) -> None:
    bot = fast_bot
    campaign(bot)
    bot.command("/host", HOST_LINE, user="UVOL1")
    (copy,) = bot.slack.dms_to("UCOORD")
    with bot.slack.lock:
        bot.slack.failures.clear()
    bot.slack.fail_next("chat.postMessage", 500, times=4 * 2, retry_after=None)  # the post and the DM
    approved = bot.click(copy, act.APPROVE, user="UCOORD")
    assert "Approved shift #1" in approved.text
    assert bot.slack.dms_to("UVOL1") == []
    slack_up(bot)
    tick(bot, minutes=1)
    tick(bot, minutes=5)
    tick(bot, minutes=10)
    (told,) = bot.slack.dms_to("UVOL1")
    assert "was approved by <@UCOORD>" in message_text(told)
    posts = [m for m in bot.slack.posts_in("CIOWA") if "Shift #1 (canvass, IA)" in m.text]
    assert len(posts) == 1
