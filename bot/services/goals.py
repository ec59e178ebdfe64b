"""Goals: a state's target per metric, for one local day or standing daily."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

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
    require_coordinator(session, actor=actor, state=state, doing=f"set {state}'s goals")
    if not 1 <= target <= MAX_GOAL:
        raise GoalOutOfRange(target, MAX_GOAL)
    if day is not None and day < local_date(now, state_timezone(session, state)):
        raise Refused(f"{day} is in the past; goals are for today or later.")
    ensure_state(session, state, now=now)
    goal = session.exec(
        select(Goal)
        .where(Goal.state == state, Goal.metric == metric)
        .where(col(Goal.local_date).is_(None) if day is None else Goal.local_date == day)
    ).first()
    if goal is None:
        goal = Goal(
            state=state, metric=metric, local_date=day, target=target, set_by=actor.user_id, set_at=now
        )
    goal.target, goal.set_by, goal.set_at = target, actor.user_id, now
    session.add(goal)
    session.flush()


def goals_for(session: Session, state: str, day: date) -> dict[Metric, int]:
    """The day's goals: a goal set for that date wins over the standing daily one."""
    rows = session.exec(
        select(Goal).where(
            Goal.state == state, (col(Goal.local_date) == day) | col(Goal.local_date).is_(None)
        )
    ).all()
    goals: dict[Metric, int] = {}
    for goal in sorted(rows, key=lambda g: g.local_date is not None):
        goals[Metric(goal.metric)] = goal.target
    return goals
