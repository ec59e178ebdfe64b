"""Goals: a state's target per metric, for one local day or standing daily."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.db import Prepared, run
from bot.i18n import N_
from bot.models import Goal, Metric
from bot.services.clock import local_date
from bot.services.errors import GoalOutOfRange, Refused
from bot.services.roles import Actor, require_coordinator
from bot.services.states import ensure_state, state_timezone

MAX_GOAL = 1_000_000


def set_goal(
    session: Session,
    *,
    actor: Actor,
    state: str,
    metric: Metric,
    target: int,
    day: date | None,
    now: datetime,
) -> None:
    """Coordinators set a state's goal for one local day, or a standing daily goal (`day` None)."""
    require_coordinator(session, actor=actor, state=state, doing=N_("set {state}'s goals"))
    if not 1 <= target <= MAX_GOAL:
        raise GoalOutOfRange(target, MAX_GOAL)
    team_id = actor.team_id
    today = local_date(now, state_timezone(session, team_id=team_id, code=state))
    if day is not None and day < today:
        raise Refused(N_("{day} is in the past; goals are for today or later."), day=str(day))
    ensure_state(session, team_id=team_id, code=state, now=now)
    # A standing goal is a new row from today on; the rows before it still say what past days had.
    goal = session.exec(
        select(Goal)
        .where(Goal.team_id == team_id, Goal.state == state, Goal.metric == metric)
        .where(
            (col(Goal.local_date).is_(None) & (col(Goal.starts_on) == today))
            if day is None
            else Goal.local_date == day
        )
    ).first()
    if goal is None:
        goal = Goal(
            team_id=team_id,
            state=state,
            metric=metric,
            local_date=day,
            starts_on=today if day is None else None,
            target=target,
            set_by=actor.user_id,
            set_at=now,
        )
    goal.target, goal.set_by, goal.set_at = target, actor.user_id, now
    session.add(goal)
    session.flush()


def goals_for(session: Session, *, team_id: str, state: str, day: date) -> dict[Metric, int]:
    """The day's goals in workspace `team_id`: a goal set for that date wins over the standing
    goal in force that day (the latest one to start on or before it)."""
    rows = run(session, _GOALS_FOR, {"team_id": team_id, "state": state, "day": day}).all()
    return day_goals([(g.metric, g.target, g.local_date, g.starts_on) for g in rows], day)


def day_goals(rows: Iterable[tuple[str, int, date | None, date | None]], day: date) -> dict[Metric, int]:
    """`goals_for` from the goal rows (metric, target, local_date, starts_on) that bear on `day`."""
    goals: dict[Metric, int] = {}
    # Dated goals last, standing ones oldest first: whatever should win is written last.
    for metric, target, _dated, _starts_on in sorted(rows, key=lambda g: (g[2] is not None, g[3] or day)):
        goals[Metric(metric)] = int(target)
    return goals


def goal_rows_bearing_on(day: sa.BindParameter[date]) -> sa.ColumnElement[bool]:
    """Which goal rows bear on `day`, in the workspace and state bound as `team_id`, `state`."""
    return sa.and_(
        _g.team_id == sa.bindparam("team_id"),
        _g.state == sa.bindparam("state"),
        (_g.local_date == day) | (_g.local_date.is_(None) & (_g.starts_on <= day)),
    )


_g = Goal.__table__.c  # type: ignore[attr-defined]
# Built once, with bound parameters, so SQLAlchemy compiles it once: every /log and /stats reads it.
_GOALS_FOR = Prepared(
    sa.select(_g.metric, _g.target, _g.local_date, _g.starts_on).where(
        goal_rows_bearing_on(sa.bindparam("day", type_=sa.Date()))
    )
)
