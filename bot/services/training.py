"""Training first (SPEC §8): in a state, claiming a kind of shift may need a training.

Where a rule holds, a volunteer may claim that kind once any of these is true:
- they attended a training (marked on its roster) in the state, or a national (`US`) one;
- a coordinator recorded a training done elsewhere (`/turnout trained @user STATE`, or `US`);
- they hold a place on a training (in the state or `US`) that ends before the shift starts.
A training in another state does not count: each state trains for its own turf and tools.
The rule is checked when someone claims; a place taken before a rule was set is kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import (
    HOLDING,
    Shift,
    ShiftKind,
    ShiftStatus,
    Signup,
    SignupStatus,
    TrainingRecord,
    TrainingRule,
)
from bot.services.errors import Refused
from bot.services.members import Member
from bot.services.people import ensure_volunteer
from bot.services.roles import Actor, require_coordinator
from bot.services.states import ensure_state

NATIONAL = "US"
# How many trainings a refused claim offers.
NEXT_TRAININGS = 5


def set_requirement(
    session: Session, *, actor: Actor, state: str, kind: ShiftKind, required: bool, now: datetime
) -> bool:
    """Coordinators decide which kinds of shift need a training first in their states
    (trainings themselves never do). Whether anything changed."""
    require_coordinator(session, actor=actor, state=state, doing=N_("set {state}'s training rules"))
    if kind == ShiftKind.TRAINING:
        raise Refused(N_("A training can't require a training first. Pick the kind of shift that needs one."))
    ensure_state(session, team_id=actor.team_id, code=state, now=now)
    rule = session.get(TrainingRule, (actor.team_id, state, kind))
    if required and rule is None:
        session.add(
            TrainingRule(team_id=actor.team_id, state=state, kind=kind, set_by=actor.user_id, set_at=now)
        )
    elif not required and rule is not None:
        session.delete(rule)
    else:
        return False
    session.flush()
    return True


def requirements(session: Session, *, actor: Actor, state: str) -> list[ShiftKind]:
    """The kinds of shift that need a training first in `state` (for its coordinators)."""
    require_coordinator(session, actor=actor, state=state, doing=N_("see {state}'s training rules"))
    kinds = session.exec(
        select(col(TrainingRule.kind)).where(
            TrainingRule.team_id == actor.team_id, TrainingRule.state == state
        )
    )
    return sorted(ShiftKind(kind) for kind in kinds)


def record_training(session: Session, *, actor: Actor, user_id: str, state: str, now: datetime) -> bool:
    """Coordinators record a training someone did elsewhere; False when it was recorded already."""
    require_coordinator(session, actor=actor, state=state, doing=N_("record trainings in {state}"))
    team_id = actor.team_id
    ensure_state(session, team_id=team_id, code=state, now=now)
    ensure_volunteer(session, who=Member(team_id, user_id), now=now)
    if session.get(TrainingRecord, (team_id, user_id, state)) is not None:
        return False
    session.add(
        TrainingRecord(
            team_id=team_id, user_id=user_id, state=state, recorded_by=actor.user_id, recorded_at=now
        )
    )
    session.flush()
    return True


def _places(state: str) -> tuple[str, ...]:
    return (state,) if state == NATIONAL else (state, NATIONAL)


def is_trained(session: Session, *, who: Member, state: str, before: datetime) -> bool:
    """Whether the volunteer may claim, in `state`, a shift that needs a training and starts at
    `before` (one query): a training recorded by their own organization, or one they took."""
    places = _places(state)
    recorded = exists().where(
        col(TrainingRecord.team_id) == who.team_id,
        col(TrainingRecord.user_id) == who.user_id,
        col(TrainingRecord.state).in_(places),
    )
    took = exists().where(
        col(Signup.team_id) == who.team_id,
        col(Signup.volunteer_id) == who.user_id,
        col(Signup.shift_id) == col(Shift.id),
        col(Shift.kind) == ShiftKind.TRAINING,
        col(Shift.state).in_(places),
        or_(
            col(Signup.status) == SignupStatus.ATTENDED,
            and_(
                col(Signup.status).in_((SignupStatus.CLAIMED, SignupStatus.CONFIRMED)),
                col(Shift.status) == ShiftStatus.OPEN,
                col(Shift.ends_at) <= before,
            ),
        ),
    )
    return bool(session.exec(select(or_(recorded, took))).one())


def next_trainings(session: Session, *, who: Member, state: str, now: datetime) -> list[Shift]:
    """The next open trainings of the volunteer's organization in the state or national ones that
    have not started and that the volunteer is not on yet, soonest first."""
    mine = select(Signup.shift_id).where(
        Signup.team_id == who.team_id,
        Signup.volunteer_id == who.user_id,
        col(Signup.status).in_((*HOLDING, SignupStatus.WAITLISTED, SignupStatus.PENDING)),
    )
    return list(
        session.exec(
            select(Shift)
            .where(
                Shift.team_id == who.team_id,
                Shift.kind == ShiftKind.TRAINING,
                Shift.status == ShiftStatus.OPEN,
                col(Shift.state).in_(_places(state)),
                col(Shift.starts_at) > now,
                col(Shift.id).not_in(mine),
            )
            .order_by(col(Shift.starts_at), col(Shift.id))
            .limit(NEXT_TRAININGS)
        ).all()
    )
