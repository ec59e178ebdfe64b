"""Stats: a state's day against its goals, its week, and a volunteer's own impact and streak. Every total reads a rollup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.db import Prepared, run
from bot.models import ContactDay, Goal, Metric, Signup, SignupStatus, State, StateDay, Volunteer
from bot.services.clock import local_date, week_start
from bot.services.counts import METRICS, Counts
from bot.services.goals import day_goals, goals_for
from bot.services.members import Member
from bot.services.people import Profile, profile_columns, profile_from, stored_profile
from bot.services.places import PLACES
from bot.services.states import state_for_channel, state_timezone


@dataclass(frozen=True)
class Progress:
    """A state's day: totals, the goals that apply, and how many people logged."""

    state: str
    day: date
    totals: Counts
    goals: dict[Metric, int]
    active: int


@dataclass(frozen=True)
class PersonalStats:
    today: Counts
    week: Counts
    all_time: Counts
    shifts_attended: int
    streak: int


@dataclass(frozen=True)
class StateStats:
    today: Progress
    week: Counts
    week_first: date


def state_progress(session: Session, *, team_id: str, state: str, day: date) -> Progress:
    totals, active = state_day_totals(session, team_id=team_id, state=state, day=day)
    return Progress(state, day, totals, goals_for(session, team_id=team_id, state=state, day=day), active)


def state_stats(session: Session, *, team_id: str, state: str, now: datetime) -> StateStats:
    """A state's numbers in workspace `team_id` (its own organization's volunteers)."""
    today = local_date(now, state_timezone(session, team_id=team_id, code=state))
    monday = week_start(today)
    days = run(
        session, _STATE_DAYS, {"team_id": team_id, "state": state, "first": monday, "last": today}
    ).all()
    week = Counts(*(sum(int(getattr(d, m.value)) for d in days) for m in METRICS))
    row = next((d for d in days if d.local_date == today), None)
    goals = goals_for(session, team_id=team_id, state=state, day=today)
    progress = Progress(state, today, Counts.of_row(row), goals, int(row.active) if row else 0)
    return StateStats(progress, week, monday)


def read_state_stats(
    session: Session, *, who: Member, state: str | None, channel_id: str, now: datetime
) -> tuple[tuple[Profile, datetime] | None, StateStats | None]:
    """`/stats` for a state: the caller's stored profile (None: new to Turnout) and the numbers
    of `state`, else of the state bound to `channel_id` (None when there is none). On
    PostgreSQL in one statement (each is a round trip): the state's zone, its days from the
    Monday before yesterday (UTC) to tomorrow and the goals bearing on any of them are read,
    and today, its week and its goals are picked here once the zone gives today."""
    if session.get_bind().dialect.name != "postgresql":
        stored = stored_profile(session, who=who)
        state = state or state_for_channel(session, team_id=who.team_id, channel_id=channel_id)
        if state is None:
            return stored, None
        return stored, state_stats(session, team_id=who.team_id, state=state, now=now)
    utc_today = now.astimezone(UTC).date()
    first, last = week_start(utc_today - timedelta(days=1)), utc_today + timedelta(days=1)
    row = run(
        session,
        _PG_STATE_STATS,
        {
            "team_id": who.team_id,
            "user_id": who.user_id,
            "state": state,
            "channel_id": channel_id,
            "first": first,
            "last": last,
        },
    ).one()
    stored = profile_from(who, row)
    code = state or row.channel_state
    if code is None:
        return stored, None
    today = local_date(now, row.zone or PLACES[code].timezone)
    monday = week_start(today)
    days = {
        day: Counts(*(int(getattr(row, f"day_{m.value}")[n]) for m in METRICS))
        for n, day in enumerate(row.day_local_date or ())
    }
    actives = dict(zip(row.day_local_date or (), row.day_active or (), strict=True))
    week = Counts(*(sum(c.get(m) for day, c in days.items() if monday <= day <= today) for m in METRICS))
    goal_rows = zip(
        row.goal_metric or (),
        row.goal_target or (),
        row.goal_local_date or (),
        row.goal_starts_on or (),
        strict=True,
    )
    bearing = [g for g in goal_rows if g[2] == today or (g[2] is None and g[3] is not None and g[3] <= today)]
    progress = Progress(
        code, today, days.get(today, Counts()), day_goals(bearing, today), int(actives.get(today) or 0)
    )
    return stored, StateStats(progress, week, monday)


def _build_pg_state_stats() -> Prepared:
    """`read_state_stats`' one statement: the profile (`profile_columns`), the state bound to
    the channel (`channel_state`), the state's zone (`zone`), its days' sums as arrays
    (`day_local_date`, `day_*`) and its goals as arrays (`goal_*`)."""
    volunteer = _table(Volunteer)
    state_table = _table(State)
    goal = _table(Goal)
    bound = (
        sa.select(state_table.c.code.label("channel_state"))
        .where(
            state_table.c.team_id == sa.bindparam("team_id"),
            state_table.c.channel_id == sa.bindparam("channel_id"),
        )
        .scalar_subquery()
    )
    code = sa.func.coalesce(sa.bindparam("state", type_=state_table.c.code.type), bound)
    zone = (
        sa.select(state_table.c.timezone)
        .where(state_table.c.team_id == sa.bindparam("team_id"), state_table.c.code == code)
        .scalar_subquery()
    )
    sums = (
        sa.select(_sd.local_date, *_SUMS)
        .where(
            _sd.team_id == sa.bindparam("team_id"),
            _sd.state == code,
            _sd.local_date.between(
                sa.bindparam("first", type_=sa.Date()), sa.bindparam("last", type_=sa.Date())
            ),
        )
        .group_by(_sd.local_date)
        .subquery("sums")
    )
    days = sa.select(
        *(
            sa.func.array_agg(sums.c[name]).label(f"day_{name}")
            for name in ("local_date", "active", *(m.value for m in METRICS))
        )
    ).subquery("days")
    goals = (
        sa.select(
            *(
                sa.func.array_agg(goal.c[name]).label(f"goal_{name}")
                for name in ("metric", "target", "local_date", "starts_on")
            )
        )
        .where(
            goal.c.team_id == sa.bindparam("team_id"),
            goal.c.state == code,
            goal.c.local_date.between(
                sa.bindparam("first", type_=sa.Date()), sa.bindparam("last", type_=sa.Date())
            )
            | (goal.c.local_date.is_(None) & (goal.c.starts_on <= sa.bindparam("last", type_=sa.Date()))),
        )
        .subquery("goals")
    )
    who = (
        sa.select(*profile_columns(volunteer))
        .where(volunteer.c.team_id == sa.bindparam("team_id"), volunteer.c.id == sa.bindparam("user_id"))
        .subquery("who")
    )
    return Prepared(
        sa.select(bound.label("channel_state"), zone.label("zone"), *days.c, *goals.c, *who.c).select_from(
            days.join(goals, sa.true()).outerjoin(who, sa.true())
        )
    )


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


def state_day_totals(
    session: Session, *, team_id: str, state: str, day: date, leaving_out: int | None = None
) -> tuple[Counts, int]:
    """A state's day in workspace `team_id`, its shards added up (all, or all but `leaving_out`):
    its counts and how many volunteers logged."""
    key = {"team_id": team_id, "state": state}
    if leaving_out is None:
        row = run(session, _STATE_DAYS, {**key, "first": day, "last": day}).first()
    else:
        row = run(session, _STATE_DAY_OTHERS, {**key, "day": day, "shard": leaving_out}).first()
    return Counts.of_row(row), int(row.active or 0) if row else 0


_sd = StateDay.__table__.c  # type: ignore[attr-defined]
_SUMS = (
    sa.func.coalesce(sa.func.sum(_sd.active), 0).label("active"),
    *(sa.func.coalesce(sa.func.sum(_sd[m.value]), 0).label(m.value) for m in METRICS),
)
# Built once, with bound parameters, so SQLAlchemy compiles each once: every /stats reads them.
_STATE_DAYS = Prepared(
    sa.select(_sd.local_date, *_SUMS)
    .where(
        _sd.team_id == sa.bindparam("team_id"),
        _sd.state == sa.bindparam("state"),
        _sd.local_date.between(sa.bindparam("first"), sa.bindparam("last")),
    )
    .group_by(_sd.local_date)
)
_STATE_DAY_OTHERS = Prepared(
    sa.select(*_SUMS).where(
        _sd.team_id == sa.bindparam("team_id"),
        _sd.state == sa.bindparam("state"),
        _sd.local_date == sa.bindparam("day"),
        _sd.shard != sa.bindparam("shard"),
    )
)


def personal_stats(session: Session, *, who: Member, today: date) -> PersonalStats:
    """Today, this week and all time (all states), shifts attended, and the streak of days with a log."""
    mine = (col(ContactDay.team_id) == who.team_id) & (col(ContactDay.volunteer_id) == who.user_id)
    monday = week_start(today)
    day_totals, _ = _sum(session, mine, col(ContactDay.local_date) == today)
    week, _ = _sum(session, mine, col(ContactDay.local_date).between(monday, today))
    all_time, _ = _sum(session, mine)
    attended = session.exec(
        select(func.count()).where(
            Signup.team_id == who.team_id,
            Signup.volunteer_id == who.user_id,
            Signup.status == SignupStatus.ATTENDED,
        )
    ).one()
    return PersonalStats(day_totals, week, all_time, int(attended), streak(session, who=who, today=today))


def streak(session: Session, *, who: Member, today: date) -> int:
    """Consecutive days with a log, up to today (or up to yesterday, while today is still open)."""
    days = session.exec(
        select(col(ContactDay.local_date))
        .where(
            ContactDay.team_id == who.team_id,
            ContactDay.volunteer_id == who.user_id,
            col(ContactDay.local_date) <= today,
        )
        .group_by(col(ContactDay.local_date))
        .order_by(col(ContactDay.local_date).desc())
        .limit(1000)
    ).all()
    expected = today if days and days[0] == today else today - timedelta(days=1)
    count = 0
    for day in days:
        if day != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count


def _sum(session: Session, *where: object) -> tuple[Counts, int]:
    row = session.execute(
        sa_select(
            func.coalesce(func.sum(ContactDay.doors), 0),
            func.coalesce(func.sum(ContactDay.calls), 0),
            func.coalesce(func.sum(ContactDay.texts), 0),
            func.coalesce(func.sum(ContactDay.convos), 0),
            func.coalesce(func.sum(ContactDay.supporters), 0),
            func.count(func.distinct(ContactDay.volunteer_id)),
        ).where(*where)  # type: ignore[arg-type]
    ).one()
    return Counts(*(int(v) for v in row[:5])), int(row[5])


_PG_STATE_STATS = _build_pg_state_stats()
