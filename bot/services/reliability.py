"""Reliability (SPEC §8): no-shows flagged on rosters, and the per-state no-show policy.

`/turnout noshow STATE N` (off by default): a volunteer with N or more no-shows in the state in
the last 60 days has their claims there held (`pending`: on the shift, holding no place) until
the shift's host, a coordinator or an admin accepts them. Accepting gives them a place if one is
free, else a place at the end of the waitlist; a held claim can also be removed from the roster.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import HOLDING, ShiftStatus, Signup, SignupStatus, State
from bot.services.errors import NotFound, Refused
from bot.services.roles import Actor, require_coordinator, require_shift_runner
from bot.services.shifts import ClaimResult, _lock_shift, _signup_view, shift_view
from bot.services.states import ensure_state

MAX_NOSHOW_LIMIT = 10


def set_noshow_limit(
    session: Session, *, actor: Actor, state: str, limit: int | None, now: datetime
) -> State:
    """Coordinators turn the policy on (with how many no-shows in 60 days hold a claim) or off."""
    require_coordinator(session, actor=actor, state=state, doing=N_("set {state}'s no-show policy"))
    if limit is not None and not 1 <= limit <= MAX_NOSHOW_LIMIT:
        raise Refused(
            N_("The limit is a number of no-shows from 1 to {maximum}, or `off`."), maximum=MAX_NOSHOW_LIMIT
        )
    row = ensure_state(session, team_id=actor.team_id, code=state, now=now)
    row.noshow_limit = limit
    session.add(row)
    session.flush()
    return row


def noshow_limit(session: Session, *, actor: Actor, state: str) -> int | None:
    """The state's policy, for its coordinators: None when off."""
    require_coordinator(session, actor=actor, state=state, doing=N_("see {state}'s no-show policy"))
    row = session.get(State, (actor.team_id, state))
    return row.noshow_limit if row else None


def accept_claim(session: Session, *, actor: Actor, signup_id: int, now: datetime) -> ClaimResult:
    """The shift's host, its state's coordinators or an admin accept a held claim: a place if
    one is free, else the end of the waitlist. Accepting twice changes nothing (`already`)."""
    signup = session.get(Signup, signup_id)
    if signup is None:
        raise NotFound(N_("That signup no longer exists; open the roster again."))
    missing = N_("That signup no longer exists; open the roster again.")
    shift = _lock_shift(session, signup.shift_id, team_id=actor.team_id, missing=missing)
    require_shift_runner(session, actor=actor, shift=shift, doing=N_("accept claims on shift #{shift}"))
    session.refresh(signup)
    if signup.status != SignupStatus.PENDING:
        return ClaimResult(_signup_view(session, signup, shift_view(session, shift)), already=True)
    if shift.status == ShiftStatus.CANCELLED:
        raise Refused(N_("Shift #{shift} was cancelled, so there is no claim to accept."), shift=shift.id)
    if shift.starts_at <= now:
        raise Refused(
            N_("Shift #{shift} has already started; add people to it from its roster instead."),
            shift=shift.id,
        )
    held, last_seq = session.exec(
        select(
            func.count().filter(col(Signup.status).in_(HOLDING)),
            func.max(Signup.waitlist_seq),
        ).where(Signup.shift_id == shift.id)
    ).one()
    if held < shift.capacity:
        signup.status, signup.waitlist_seq = SignupStatus.CLAIMED, None
    else:
        signup.status, signup.waitlist_seq = SignupStatus.WAITLISTED, (last_seq or 0) + 1
    signup.updated_at, signup.marked_by = now, actor.user_id
    shift.version += 1
    session.add_all([signup, shift])
    session.flush()
    return ClaimResult(_signup_view(session, signup, shift_view(session, shift)), already=False)
