"""The schedule: each state's posts on time in its own zone, exactly once, never lost.

Every test moves an injected clock; nothing sleeps.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.blocks import actions as act
from bot.config import Settings
from bot.db import create_db_engine
from bot.deps import Deps, make_deps
from bot.localslack.reading import buttons, message_text
from bot.models import Delivery, Signup, State
from bot.services.deliveries import claim_delivery
from bot.services.schedule import Job, StateSchedule, runs_between, schedule_for
from bot.slack.lanes import TeamLanes
from jobs.runner import run_due, run_job
from jobs.scheduler import Leadership
from tests import factories as make
from tests.conftest import Bot
from tests.factories import TEAM


def local(text: str, tz: str = "America/Chicago") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


def setup(bot: Bot, state: str = "IA", channel: str = "CIOWA", tz: str | None = None) -> None:
    with bot.deps.session() as session:
        make.coordinator(session, "UCOORD", state, bot.clock())
        row = session.get(State, (TEAM, state))
        assert row is not None
        row.channel_id = channel
        if tz:
            row.timezone = tz
        session.add(row)


def schedule(bot: Bot, state: str = "IA") -> StateSchedule:
    with bot.deps.read_session() as session:
        found = schedule_for(session, team_id=TEAM, code=state)
    assert found is not None
    return found


def tick(bot: Bot, at: datetime) -> int:
    bot.clock.now = at
    return run_due(bot.deps, at).sent


def morning_posts(bot: Bot, channel: str = "CIOWA") -> list[str]:
    return [message_text(m) for m in bot.slack.posts_in(channel) if "Good morning" in message_text(m)]


# ---------------------------------------------------------------- time zones and DST


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc_hour"),
    [
        ("America/Chicago", date(2026, 11, 1), 15),  # fall back: 09:00 CST
        ("America/Chicago", date(2026, 3, 8), 14),  # spring forward: 09:00 CDT
        ("America/Phoenix", date(2026, 3, 8), 16),  # Arizona keeps MST
        ("Pacific/Honolulu", date(2026, 11, 1), 19),  # Hawaii keeps HST
    ],
)
def test_a_dst_change_day_gets_exactly_one_morning_post_at_local_nine(
    tz: str, day: date, expected_utc_hour: int
) -> None:
    sched = StateSchedule(
        TEAM,
        "IA",
        tz,
        "C1",
        {
            j: t
            for j, t in zip(
                (Job.MORNING, Job.EVENING, Job.DAY_BEFORE, Job.WEEKLY),
                (time(9), time(20), time(11), time(8)),
                strict=True,
            )
        },
        timedelta(hours=2),
        timedelta(hours=1),
    )
    start = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=12)
    runs = runs_between(sched, (Job.MORNING,), start, start + timedelta(hours=36))
    on_day = [r for r in runs if r.day == day]
    assert len(on_day) == 1 and on_day[0].due.hour == expected_utc_hour


def test_every_state_posts_at_its_own_local_time(bot: Bot) -> None:
    setup(bot, "IA", "CIOWA")
    setup(bot, "NH", "CNH")
    assert tick(bot, local("2026-11-24T09:00", "America/New_York")) == 1
    assert len(morning_posts(bot, "CNH")) == 1 and morning_posts(bot, "CIOWA") == []
    assert tick(bot, local("2026-11-24T09:00")) == 1
    assert len(morning_posts(bot, "CIOWA")) == 1


# ---------------------------------------------------------------- exactly once, never lost


def test_double_ticks_reruns_and_manual_runs_post_once(bot: Bot) -> None:
    setup(bot)
    at = local("2026-11-24T09:00")
    assert tick(bot, at) == 1
    assert tick(bot, at + timedelta(seconds=30)) == 0
    assert run_job(bot.deps, Job.MORNING, "IA", at + timedelta(minutes=5), team_id=None).skipped == 1
    assert len(morning_posts(bot)) == 1


def test_down_at_nine_up_at_nine_forty_still_posts_but_not_at_three(bot: Bot) -> None:
    setup(bot)
    assert tick(bot, local("2026-11-24T09:40")) == 1
    assert len(morning_posts(bot)) == 1
    assert tick(bot, local("2026-11-25T15:00")) == 0
    assert len(morning_posts(bot)) == 1


def test_the_schedule_follows_a_coordinators_change(bot: Bot) -> None:
    setup(bot)
    changed = bot.command("/turnout", "schedule IA morning 07:15", user="UCOORD")
    assert "`morning` 07:15" in changed.text
    assert tick(bot, local("2026-11-24T07:15")) == 1
    assert "Only an IA coordinator" in bot.command("/turnout", "schedule IA morning 06:00").text
    assert "isn't a time" in bot.command("/turnout", "schedule IA morning 7am", user="UCOORD").text
    assert (
        "runs relative to each shift"
        in bot.command("/turnout", "schedule IA reminders 07:00", user="UCOORD").text
    )


def test_slack_429_then_success_and_500_then_success_post_once(bot: Bot) -> None:
    setup(bot)
    bot.slack.fail_next("chat.postMessage", 429, retry_after=0)
    assert tick(bot, local("2026-11-24T09:00")) == 1
    bot.slack.fail_next("chat.postMessage", 500, retry_after=None)
    assert tick(bot, local("2026-11-24T20:00")) == 1
    assert len(bot.slack.posts_in("CIOWA")) == 2


def test_a_failed_send_is_retried_on_a_later_tick_and_goes_out_once(bot: Bot) -> None:
    setup(bot)
    bot.slack.fail_next("chat.postMessage", 200, error="internal_error")
    assert tick(bot, local("2026-11-24T09:00")) == 0
    # The first retry waits 30 s ± 20 % (backoff with jitter), so by 09:00:40 it is due.
    assert tick(bot, local("2026-11-24T09:00:40")) == 1
    assert tick(bot, local("2026-11-24T09:01:30")) == 0
    assert len(morning_posts(bot)) == 1


def test_a_crash_between_claim_and_send_is_retried_once_the_claim_is_stale(bot: Bot) -> None:
    setup(bot)
    at = local("2026-11-24T09:00")
    with bot.deps.session() as session:  # a process claimed the post, then died before sending
        assert (
            claim_delivery(session, team_id=TEAM, kind="morning", target="CIOWA", key="2026-11-24", now=at)
            is not None
        )
    assert tick(bot, at + timedelta(minutes=1)) == 0  # the claim may still be live
    assert tick(bot, at + timedelta(minutes=6)) == 1
    assert tick(bot, at + timedelta(minutes=7)) == 0
    with bot.deps.read_session() as session:
        (delivery,) = session.exec(select(Delivery).where(Delivery.kind == "morning")).all()
    assert delivery.status == "sent" and delivery.attempts == 2


def test_two_schedulers_ticking_at_once_post_once(bot: Bot) -> None:
    setup(bot)
    at = local("2026-11-24T09:00")
    barrier = threading.Barrier(2)
    sent: list[int] = []
    # Two processes: each with its own lanes, so their runs of one workspace overlap.
    processes = [bot.deps, replace(bot.deps, lanes=TeamLanes())]

    def scheduler(deps: Deps) -> None:
        barrier.wait()
        sent.append(run_due(deps, at).sent)

    threads = [threading.Thread(target=scheduler, args=(deps,)) for deps in processes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    processes[1].lanes.shutdown()
    assert sorted(sent) == [0, 1] and len(morning_posts(bot)) == 1


# Every scheduler on a database contends for one advisory lock: under xdist (--dist loadgroup)
# the tests that take it run on one worker, one after the other.
@pytest.mark.xdist_group("scheduler-leadership")
@pytest.mark.postgresql
def test_only_one_scheduler_leads_on_postgresql(postgres_url: str, settings: Settings) -> None:
    deps = make_deps(settings, engine=create_db_engine(postgres_url))
    first, second = Leadership(deps), Leadership(deps)
    try:
        assert first.held() and not second.held()
        assert first.held()  # still leading on the next tick
        first.release()
        assert second.held()
    finally:
        first.release()
        second.release()
        deps.engine.dispose()


# ---------------------------------------------------------------- the jobs


def test_morning_post_has_goals_yesterday_and_shifts_needing_people(bot: Bot) -> None:
    setup(bot)
    bot.clock.now = local("2026-11-22T18:00")
    bot.command("/turnout", "goal IA 100 doors daily", user="UCOORD")
    bot.command("/log", "30 doors", channel="CIOWA")
    with bot.deps.session() as session:
        open_id = make.shift(session, bot.clock(), days_ahead=1, capacity=3)
        full_id = make.shift(session, bot.clock(), days_ahead=1, capacity=1, start=time(14))
    bot.command("/claim", str(full_id), user="UVOL2")
    tick(bot, local("2026-11-23T09:00"))
    (post,) = [m for m in bot.slack.posts_in("CIOWA") if "Good morning" in message_text(m)]
    text = message_text(post)
    assert "0 / 100 doors" in text and "30 / 100 doors" in text  # today, and yesterday
    assert f"#{open_id}" in text and f"#{full_id}" not in text
    claimed = bot.click(post, act.CLAIM, user="UVOL3")
    assert "You're on shift" in claimed.text and claimed.reply.ephemeral_to == "UVOL3"


def test_evening_post_cheers_top_volunteers_streaks_and_first_shifts(bot: Bot) -> None:
    setup(bot)
    for day in (20, 21, 22):
        bot.clock.now = local(f"2026-11-{day}T12:00")
        bot.command("/log", "10 doors 2 convos", channel="CIOWA")
    with bot.deps.session() as session:
        shift_id = make.shift(session, local("2026-11-22T08:00"), days_ahead=0, start=time(13))
    bot.command("/claim", str(shift_id), user="UVOL2")
    bot.clock.now = local("2026-11-22T16:30")
    roster = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").reply
    bot.click(roster, act.ATTENDED, user="UCOORD")
    tick(bot, local("2026-11-22T20:00"))
    (post,) = [m for m in bot.slack.posts_in("CIOWA") if "Top volunteers" in message_text(m)]
    text = message_text(post)
    assert "1. ana — 12 contacts" in text and "<@UVOL1> is on a 3-day streak" in text
    assert "Welcome <@UVOL2>" in text


def test_day_before_dm_confirms_or_releases_and_promotes(bot: Bot) -> None:
    setup(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1, capacity=1)
    bot.command("/claim", str(shift_id), user="UVOL1")
    bot.command("/claim", str(shift_id), user="UVOL2")
    tick(bot, local("2026-11-22T11:00"))
    (dm,) = bot.slack.dms_to("UVOL1")
    assert "Tomorrow: shift" in message_text(dm) and bot.slack.dms_to("UVOL2") == []
    released = bot.click(dm, act.RELEASE, user="UVOL1")
    assert "You're off shift" in released.text and released.reply is dm
    assert "it's yours" in message_text(bot.slack.dms_to("UVOL2")[-1])
    tick(bot, local("2026-11-22T11:01"))
    assert len(bot.slack.dms_to("UVOL1")) == 1


def test_reminders_and_at_risk_posts_but_never_for_a_started_shift(bot: Bot) -> None:
    setup(bot)
    with bot.deps.session() as session:
        short = make.shift(session, bot.clock(), days_ahead=1, capacity=3, start=time(10))
        late = make.shift(session, bot.clock(), days_ahead=1, capacity=1, start=time(15))
    bot.command("/claim", str(short), user="UVOL1")
    bot.command("/claim", str(late), user="UVOL2")
    tick(bot, local("2026-11-23T08:00"))  # two hours before the 10:00 shift
    assert "Reminder: shift" in message_text(bot.slack.dms_to("UVOL1")[-1])
    (risk,) = [m for m in bot.slack.posts_in("CIOWA") if "needs cover" in message_text(m)]
    assert "2 open places" in message_text(risk) and "1 not confirmed" in message_text(risk)
    assert [b["action_id"] for b in buttons(risk)] == [act.CLAIM]
    covered = bot.click(risk, act.CLAIM, user="UVOL3")
    assert "You're on shift" in covered.text
    tick(bot, local("2026-11-23T15:30"))  # the 15:00 shift has started: no reminder
    assert not any("Reminder" in message_text(m) for m in bot.slack.dms_to("UVOL2"))


def test_after_shift_follow_up_opens_the_log_form_for_that_shift(bot: Bot) -> None:
    setup(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1, start=time(10), hours=3)
    bot.command("/claim", str(shift_id), user="UVOL1")
    tick(bot, local("2026-11-23T14:00"))  # an hour after the 13:00 end
    dm = bot.slack.dms_to("UVOL1")[-1]
    assert "How did shift" in message_text(dm)
    opened = bot.click(dm, act.LOG_FOR_SHIFT, user="UVOL1")
    view = opened.view
    assert view is not None
    shift_field = next(b for b in view["blocks"] if b.get("block_id") == "shift")
    assert shift_field["element"]["initial_option"]["value"] == str(shift_id)
    roster = bot.command("/turnout", f"roster {shift_id}", user="UCOORD").text
    assert "_unmarked_" in roster


def test_weekly_digest_goes_to_coordinators_with_a_chart(bot: Bot) -> None:
    setup(bot)
    bot.clock.now = local("2026-11-16T07:00")  # a standing goal holds from the day it is set
    bot.command("/turnout", "goal IA 20 doors daily", user="UCOORD")
    bot.clock.now = local("2026-11-20T12:00")
    bot.command("/log", "25 doors", channel="CIOWA")
    tick(bot, local("2026-11-23T08:00"))  # Monday
    (dm,) = bot.slack.dms_to("UCOORD")
    assert "Fill rate" in message_text(dm) and "25 / 140 doors" in message_text(dm)
    (chart,) = bot.slack.uploads
    assert chart["channel"] == "DUCOORD" and chart["content"].startswith(b"\x89PNG")
    tick(bot, local("2026-11-23T08:30"))
    assert len(bot.slack.dms_to("UCOORD")) == 1


def test_manual_digest_posts_then_updates_in_place(bot: Bot) -> None:
    setup(bot)
    bot.clock.now = local("2026-11-24T12:00")
    assert "Posted evening digest" in bot.command("/turnout", "digest IA evening", user="UCOORD").text
    bot.command("/log", "9 doors", channel="CIOWA")
    assert "Updated the already-posted" in bot.command("/turnout", "digest IA evening", user="UCOORD").text
    (post,) = bot.slack.posts_in("CIOWA")
    assert "9 doors" in message_text(post) and post.edits == 1
    assert tick(bot, local("2026-11-24T20:00")) == 0  # the evening post is already out
    assert "isn't a digest" in bot.command("/turnout", "digest IA noon", user="UCOORD").text


def test_signups_untouched_by_reminders(bot: Bot) -> None:
    setup(bot)
    with bot.deps.session() as session:
        shift_id = make.shift(session, bot.clock(), days_ahead=1)
    bot.command("/claim", str(shift_id))
    tick(bot, local("2026-11-23T08:00"))
    with bot.deps.read_session() as session:
        (signup,) = session.exec(select(Signup)).all()
    assert signup.status == "claimed"
