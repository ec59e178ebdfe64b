"""News for a state's leaders goes to its leads channel, else to its coordinators by DM: at-risk
shifts (also to the shift's host), "can't make it" inside 24 hours, and the weekly digest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import time

from sqlmodel import select

from bot.blocks import actions as act
from bot.localslack.reading import buttons, message_text
from bot.models import Delivery, DeliveryKind, Shift, State
from bot.slack.redraws import Coalescer
from jobs.runner import run_due
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM
from tests.fastbot import slack_down, slack_up
from tests.jobs.test_schedule import local, setup, tick


def bind_leads(bot: Bot, channel: str = "CLEADS") -> None:
    bot.slack.add_channel(channel, "ia-leads", is_private=True)
    with bot.deps.session() as session:
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.leads_channel_id = channel
        session.add(state)


def hosted_by(bot: Bot, shift_id: int, host: str) -> None:
    with bot.deps.session() as session:
        make.volunteer(session, host, bot.clock())
        shift = session.get(Shift, shift_id)
        assert shift is not None
        shift.host_id = host
        session.add(shift)


def test_an_at_risk_shift_is_news_for_the_leads_and_its_host_kept_current(bot: Bot) -> None:
    setup(bot)
    bind_leads(bot)
    with bot.deps.session() as session:
        short = make.shift(session, bot.clock(), days_ahead=1, capacity=2, start=time(10))
    hosted_by(bot, short, "UVOL1")
    bot.command("/claim", str(short), user="UVOL2")
    tick(bot, local("2026-11-23T08:00"))  # two hours before
    (public,) = [m for m in bot.slack.posts_in("CIOWA") if "needs cover" in message_text(m)]
    (leads,) = [m for m in bot.slack.posts_in("CLEADS") if "needs cover" in message_text(m)]
    (host,) = [m for m in bot.slack.dms_to("UVOL1") if "needs cover" in message_text(m)]
    for message in (public, leads, host):
        assert "1 open place" in message_text(message) and "1 not confirmed" in message_text(message)
    # The leads channel is where the coordinators look.
    assert not any("needs cover" in message_text(m) for m in bot.slack.dms_to("UCOORD"))
    covered = bot.click(leads, act.CLAIM, user="UVOL3")
    assert "You're on shift" in covered.text
    for message in (public, leads, host):  # every copy redrawn with the new fill
        assert "open place" not in message_text(message) and "2 not confirmed" in message_text(message)
    tick(bot, local("2026-11-23T08:30"))
    assert len([m for m in bot.slack.posts_in("CLEADS") if "needs cover" in message_text(m)]) == 1


def test_without_a_leads_channel_at_risk_shifts_reach_the_coordinators_by_dm(bot: Bot) -> None:
    setup(bot)
    with bot.deps.session() as session:
        make.shift(session, bot.clock(), days_ahead=1, capacity=2, start=time(10))
    tick(bot, local("2026-11-23T08:00"))
    (dm,) = [m for m in bot.slack.dms_to("UCOORD") if "needs cover" in message_text(m)]
    assert "needs cover: 2 open places" in message_text(dm)
    assert [b["action_id"] for b in buttons(dm)] == [act.CLAIM]


def test_at_risk_news_reaches_the_leads_even_in_a_state_without_a_channel(bot: Bot) -> None:
    setup(bot, channel="CIOWA")
    with bot.deps.session() as session:
        state = session.get(State, (TEAM, "IA"))
        assert state is not None
        state.channel_id = None
        session.add(state)
        make.shift(session, bot.clock(), days_ahead=1, capacity=2, start=time(10))
    tick(bot, local("2026-11-23T08:00"))
    assert any("needs cover" in message_text(m) for m in bot.slack.dms_to("UCOORD"))


def test_cant_make_it_inside_a_day_is_news_for_the_leads(bot: Bot) -> None:
    setup(bot)
    bind_leads(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1, capacity=3, start=time(10))
    bot.command("/claim", str(shift_id), user="UVOL2")
    tick(bot, local("2026-11-22T11:00"))  # the day before
    (ask,) = bot.slack.dms_to("UVOL2")
    bot.click(ask, act.RELEASE, user="UVOL2")  # "Can't make it"
    (news,) = bot.slack.posts_in("CLEADS")
    assert f"<@UVOL2> released shift #{shift_id}, which starts in 23 hours: 0/3 now." in message_text(news)


def test_the_weekly_digest_goes_to_the_leads_channel_with_its_chart(bot: Bot) -> None:
    setup(bot)
    bind_leads(bot)
    bot.clock.now = local("2026-11-16T07:00")
    bot.command("/turnout", "goal IA 20 doors daily", user="UCOORD")
    bot.clock.now = local("2026-11-20T12:00")
    bot.command("/log", "25 doors", channel="CIOWA")
    tick(bot, local("2026-11-23T08:00"))  # Monday
    (digest,) = [m for m in bot.slack.posts_in("CLEADS") if "Fill rate" in message_text(m)]
    assert "25 / 140 doors" in message_text(digest)
    (chart,) = bot.slack.uploads
    assert chart["channel"] == "CLEADS" and chart["content"].startswith(b"\x89PNG")
    assert bot.slack.dms_to("UCOORD") == []
    tick(bot, local("2026-11-23T08:30"))
    assert len([m for m in bot.slack.posts_in("CLEADS") if "Fill rate" in message_text(m)]) == 1


def test_a_retried_redraw_settles_the_posts_it_drew_and_gives_up_the_one_that_is_gone(fast_bot: Bot) -> None:
    bot = fast_bot  # Slack's refusals retried at once
    setup(bot)
    bind_leads(bot)
    with bot.deps.session() as session:
        short = make.shift(session, bot.clock(), days_ahead=1, capacity=2, start=time(10))
    bot.command("/claim", str(short), user="UVOL2")
    tick(bot, local("2026-11-23T08:00"))  # two hours before: the "Cover this shift" posts
    (leads,) = [m for m in bot.slack.posts_in("CLEADS") if "needs cover" in message_text(m)]
    slack_down(bot, "chat.update", tries=100)
    bot.command("/claim", str(short), user="UVOL3")  # every redraw of it missed: each one owed
    slack_up(bot)
    leads.deleted = True  # someone deleted the leads' post meanwhile
    waiting: list[Callable[[], None]] = []
    paced = Coalescer(
        1.0, lane_interval=20.0, lane_burst=1, schedule=lambda _s, action: waiting.append(action)
    )
    bot.clock.now = local("2026-11-23T08:05")
    run_due(replace(bot.deps, redraws=paced), bot.clock())
    for action in waiting:  # its turn comes: #iowa's posts drawn, the leads' post gone
        action()
    with bot.deps.read_session() as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == DeliveryKind.SHIFT_REDRAW)).all()
        fates = {row.target: row.status for row in rows}
    assert fates["CLEADS"] == "failed" and fates["CIOWA"] == "sent"
