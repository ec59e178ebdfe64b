"""Roles: who may do what. Admins act everywhere; a coordinator on their own states."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.i18n import N_, Phrase
from bot.models import Coordinator, Shift, TrustedHost
from bot.services.errors import NotCoordinator, NotShiftRunner, Refused
from bot.services.places import PLACES


@dataclass(frozen=True)
class Actor:
    """The person acting, with the admin right already decided at the edge."""

    user_id: str
    is_admin: bool


def require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise Refused(
            N_("Only a Turnout admin can {doing}. Ask a workspace admin or owner."), doing=Phrase(doing)
        )


def is_coordinator(session: Session, *, actor: Actor, state: str) -> bool:
    if actor.is_admin:
        return True
    return session.get(Coordinator, (actor.user_id, state)) is not None


def require_coordinator(session: Session, *, actor: Actor, state: str, doing: str) -> None:
    """Coordinators act on their own states, admins on all; anyone else is told who can."""
    if is_coordinator(session, actor=actor, state=state):
        return
    raise NotCoordinator(state, tuple(coordinator_ids(session, state)), doing)


def is_trusted_host(session: Session, *, actor: Actor, state: str) -> bool:
    """Trusted hosts publish the shifts they host without a coordinator's approval."""
    return session.get(TrustedHost, (actor.user_id, state)) is not None


def runs_shift(session: Session, *, actor: Actor, shift: Shift) -> bool:
    """A shift is run by its host, its state's coordinators and the admins."""
    if shift.host_id is not None and shift.host_id == actor.user_id:
        return True
    return is_coordinator(session, actor=actor, state=shift.state)


def require_shift_runner(session: Session, *, actor: Actor, shift: Shift, doing: str) -> None:
    """The host runs their own shift (roster, attendance, edit, cancel); coordinators and admins
    run every shift in their states. Anyone else is told who can. `doing` may be a catalog
    message naming the shift as `{shift}` and its state as `{state}`."""
    if runs_shift(session, actor=actor, shift=shift):
        return
    raise NotShiftRunner(
        shift.state, shift.host_id, tuple(coordinator_ids(session, shift.state)), doing, shift=shift.id
    )


def coordinator_ids(session: Session, state: str) -> list[str]:
    return list(
        session.exec(
            select(Coordinator.user_id)
            .where(Coordinator.state == state)
            .order_by(col(Coordinator.granted_at))
        )
    )


def coordinated_states(session: Session, *, actor: Actor) -> list[str]:
    """The states the actor may coordinate: every known state for an admin."""
    if actor.is_admin:
        return sorted(PLACES)
    return sorted(session.exec(select(Coordinator.state).where(Coordinator.user_id == actor.user_id)))
