"""What a claim must pass before it takes a place (SPEC §8): training first, then the state's
no-show policy. Checked on the claim's hot path before any lock is taken: the state's rules come
with the claim's one read of its shift (`gate`), and each rule that applies costs one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlmodel import Session, col, select

from bot.models import Shift, State, TrainingRule
from bot.services.engagement import recent_no_shows
from bot.services.errors import TrainingRequired
from bot.services.members import Member
from bot.services.organizations import name_of
from bot.services.places import PLACES
from bot.services.roles import coordinator_ids
from bot.services.training import is_trained, next_trainings


@dataclass(frozen=True)
class Gate:
    """A claim that passed: whether the no-show policy holds it for acceptance, and the state's
    time zone (read on the way, so the claim need not read it again)."""

    hold: bool
    timezone: str


def claim_gate(session: Session, *, shift: Shift, who: Member, now: datetime) -> Gate:
    """Raises `TrainingRequired` (with the next trainings) when the shift's kind needs a training
    the volunteer has not had; `hold` when the state's no-show policy holds their claim."""
    rule = exists().where(
        col(TrainingRule.team_id) == col(State.team_id),
        col(TrainingRule.state) == col(State.code),
        col(TrainingRule.kind) == shift.kind,
    )
    # The owner's state settings: its training rules and its no-show policy.
    found = session.exec(
        select(State, rule).where(State.team_id == shift.team_id, State.code == shift.state)
    ).first()
    if found is None:
        return Gate(False, PLACES[shift.state].timezone)
    state, needs_training = found
    hold = gate(
        session,
        shift=shift,
        who=who,
        now=now,
        needs_training=bool(needs_training),
        noshow_limit=state.noshow_limit,
    )
    return Gate(hold, state.timezone)


def gate(
    session: Session,
    *,
    shift: Shift,
    who: Member,
    now: datetime,
    needs_training: bool,
    noshow_limit: int | None,
) -> bool:
    """`claim_gate` with the state's rules already read (the claim reads them with the shift):
    raises `TrainingRequired`, or says whether the no-show policy holds the claim. No query at
    all for a state with neither rule."""
    if needs_training and not is_trained(session, who=who, state=shift.state, before=shift.starts_at):
        from bot.services.shifts import shift_views  # shifts imports this module

        assert shift.id is not None
        offers = shift_views(session, next_trainings(session, who=who, state=shift.state, now=now))
        if shift.team_id != who.team_id:
            org = name_of(session, shift.team_id) or shift.team_id
            raise TrainingRequired(shift.id, shift.state, shift.kind, tuple(offers), (), org=org)
        coordinators = coordinator_ids(session, team_id=shift.team_id, state=shift.state)
        raise TrainingRequired(shift.id, shift.state, shift.kind, tuple(offers), tuple(coordinators))
    return (
        noshow_limit is not None
        and recent_no_shows(session, who=who, state=shift.state, now=now) >= noshow_limit
    )
