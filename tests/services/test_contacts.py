"""Contact logs straight at the services: local days, DST, weeks, streaks and the rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlmodel import select

from bot.deps import Deps
from bot.models import ContactLog, ContactWeek, Metric, State, StateDay
from bot.services.clock import week_start
from bot.services.contacts import log_contacts, state_day_shard, undo_last_log
from bot.services.leaderboards import leaderboard
from bot.services.stats import personal_stats, state_stats, streak
from tests import factories as make
from tests.conftest import Clock
from tests.factories import TEAM, member

# ---------------------------------------------------------------- local days, DST and weeks


def at_iowa(deps: Deps, clock: Clock, local: str) -> None:
    clock.now = datetime.fromisoformat(local).astimezone(UTC)


def log(deps: Deps, user: str, doors: int) -> None:
    with deps.session() as session:
        log_contacts(
            session,
            who=member(user),
            counts={Metric.DOORS: doors},
            shift_id=None,
            channel_id="CIOWA",
            now=deps.clock(),
        )


def test_totals_follow_the_states_midnight_dst_and_week(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.volunteer(session, "UVOL1", clock())
        state = make.coordinator(session, "UCOORD", "IA", clock())
        assert state
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
    # Sunday 2026-11-01: clocks fall back at 02:00 in Iowa (a 25-hour day).
    at_iowa(deps, clock, "2026-11-01T00:30:00-05:00")
    log(deps, "UVOL1", 1)
    at_iowa(deps, clock, "2026-11-01T23:30:00-06:00")  # 05:30 UTC on Nov 2, still Nov 1 in Iowa
    log(deps, "UVOL1", 2)
    at_iowa(deps, clock, "2026-11-02T00:10:00-06:00")  # Monday: a new day and a new week
    log(deps, "UVOL1", 4)
    with deps.read_session() as session:
        stats = state_stats(session, team_id=TEAM, state="IA", now=clock())
        mine = personal_stats(session, who=member("UVOL1"), today=date(2026, 11, 2))
        board = leaderboard(session, who=member("UVOL1"), state="IA", window="week", now=clock())
    assert stats.today.totals.doors == 4 and stats.week.doors == 4 and stats.week_first == date(2026, 11, 2)
    assert mine.today.doors == 4 and mine.week.doors == 4 and mine.all_time.doors == 7 and mine.streak == 2
    assert board.rows[0].contacts == 4
    at_iowa(deps, clock, "2026-11-01T12:00:00-06:00")
    with deps.read_session() as session:
        assert state_stats(session, team_id=TEAM, state="IA", now=clock()).today.totals.doors == 3


def test_streak_counts_consecutive_days_through_yesterday(deps: Deps, clock: Clock) -> None:
    with deps.session() as session:
        make.volunteer(session, "UVOL1", clock())
        make.coordinator(session, "UCOORD", "IA", clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
    for day in (18, 19, 20, 21):  # a gap on the 17th, nothing yet on the 22nd
        at_iowa(deps, clock, f"2026-11-{day}T12:00:00-06:00")
        log(deps, "UVOL1", 1)
    at_iowa(deps, clock, "2026-11-16T12:00:00-06:00")
    log(deps, "UVOL1", 1)
    with deps.read_session() as session:
        assert streak(session, who=member("UVOL1"), today=date(2026, 11, 22)) == 4
        assert streak(session, who=member("UVOL1"), today=date(2026, 11, 23)) == 0


def test_the_rollup_always_equals_the_logs(deps: Deps, clock: Clock) -> None:
    """Whatever is logged and undone, the per-day rollup that stats read matches the logs."""
    with deps.session() as session:
        for n in (1, 2, 3):
            make.volunteer(session, f"UVOL{n}", clock())
        make.coordinator(session, "UCOORD", "IA", clock())
        row = session.get(State, (TEAM, "IA"))
        assert row is not None
        row.channel_id = "CIOWA"
    for step in range(30):
        clock.advance(hours=5)
        user = f"UVOL{step % 3 + 1}"
        if step % 4 == 3:
            with deps.session() as session:
                undo_last_log(session, who=member(user), now=clock())
        else:
            with deps.session() as session:
                log_contacts(
                    session,
                    who=member(user),
                    counts={Metric.DOORS: step + 1, Metric.CONVOS: step % 3 + 1},
                    shift_id=None,
                    channel_id="CIOWA",
                    now=clock(),
                )
    query = (
        "SELECT volunteer_id, state, local_date, sum(doors), sum(convos), count(*) FROM {} "
        "GROUP BY volunteer_id, state, local_date ORDER BY 1, 2, 3"
    )
    with deps.read_session() as session:
        from_logs = session.execute(sa.text(query.format("contactlog"))).all()
        rollup = session.execute(
            sa.text(
                "SELECT volunteer_id, state, local_date, doors, convos, logs FROM contactday ORDER BY 1, 2, 3"
            )
        ).all()
    assert rollup == from_logs and len(rollup) > 5
    assert_rollups_match_logs(deps)


def assert_rollups_match_logs(deps: Deps) -> None:
    """The state-day and volunteer-week rollups equal what the logs add up to (a state's day
    adding up its shards, each volunteer's logs all in one of them)."""
    with deps.read_session() as session:
        logs = session.exec(select(ContactLog)).all()
        state_days: dict[tuple[str, date], tuple[int, ...]] = {}
        shards: dict[tuple[str, date], set[int]] = {}
        for r in session.exec(select(StateDay)):
            key = (r.state, r.local_date)
            before = state_days.get(key, (0, 0, 0, 0))
            state_days[key] = tuple(
                a + b for a, b in zip(before, (r.doors, r.convos, r.logs, r.active), strict=True)
            )
            shards.setdefault(key, set()).add(r.shard)
        weeks = {
            (r.volunteer_id, r.state, r.week_start): (r.doors, r.contacts, r.logs)
            for r in session.exec(select(ContactWeek))
        }
    expected_days: dict[tuple[str, date], list[int]] = {}
    active: dict[tuple[str, date], set[str]] = {}
    expected_weeks: dict[tuple[str, str, date], list[int]] = {}
    for log in logs:
        day = expected_days.setdefault((log.state, log.local_date), [0, 0, 0, 0])
        day[0] += log.doors
        day[1] += log.convos
        day[2] += 1
        active.setdefault((log.state, log.local_date), set()).add(log.volunteer_id)
        week = expected_weeks.setdefault((log.volunteer_id, log.state, week_start(log.local_date)), [0, 0, 0])
        week[0] += log.doors
        week[1] += log.doors + log.calls + log.texts + log.convos + log.supporters
        week[2] += 1
    for key, people in active.items():
        expected_days[key][3] = len(people)
        assert {state_day_shard(person) for person in people} <= shards[key]
    assert state_days == {k: tuple(v) for k, v in expected_days.items()}
    assert weeks == {k: tuple(v) for k, v in expected_weeks.items()}
