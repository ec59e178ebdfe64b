"""Stats: a state's day against its goals, its week, and a volunteer's own impact and streak. Every total reads a rollup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.db import Prepared, run
from bot.models import ContactDay, Metric, Signup, SignupStatus, StateDay
from bot.services.clock import local_date, week_start
from bot.services.counts import METRICS, Counts
from bot.services.goals import goals_for
from bot.services.members import Member
from bot.services.states import state_timezone


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
