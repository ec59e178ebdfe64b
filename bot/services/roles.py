"""Roles: who may do what. Admins act everywhere in their own workspace; a coordinator on their
own states in their own workspace. Every comparison starts with the workspace: an admin of one
organization runs nothing of another's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.i18n import N_, Phrase
from bot.models import Coordinator, Shift, TrustedHost
from bot.services.errors import NotCoordinator, NotShiftRunner, Refused
from bot.services.members import Member
from bot.services.places import PLACES


@dataclass(frozen=True)
class Actor:
    """The person acting, in their workspace, with the admin rights already decided at the edge:
    `is_admin` in this workspace (Slack admin or owner, or TURNOUT_ADMINS), `is_campaign_admin`
    for the whole coalition (TURNOUT_CAMPAIGN_ADMINS; any Turnout admin with one workspace)."""

    team_id: str
    user_id: str
    is_admin: bool
    is_campaign_admin: bool = False

    @property
    def member(self) -> Member:
        return Member(self.team_id, self.user_id)


def require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise Refused(
            N_("Only a Turnout admin can {doing}. Ask a workspace admin or owner."), doing=Phrase(doing)
        )


def is_coordinator(session: Session, *, actor: Actor, state: str) -> bool:
    if actor.is_admin:
        return True
    return session.get(Coordinator, (actor.team_id, actor.user_id, state)) is not None


def require_coordinator(session: Session, *, actor: Actor, state: str, doing: str) -> None:
    """Coordinators act on their own states, admins on all; anyone else is told who can."""
    if is_coordinator(session, actor=actor, state=state):
        return
    raise NotCoordinator(state, tuple(coordinator_ids(session, team_id=actor.team_id, state=state)), doing)


def is_trusted_host(session: Session, *, actor: Actor, state: str) -> bool:
    """Trusted hosts publish the shifts they host without a coordinator's approval."""
    return session.get(TrustedHost, (actor.team_id, actor.user_id, state)) is not None


def runs_shift(session: Session, *, actor: Actor, shift: Shift) -> bool:
    """A shift is run by its host, its state's coordinators and the admins, all of the workspace
    that owns it."""
    if shift.team_id != actor.team_id:
        return False
    if shift.host_id is not None and shift.host_id == actor.user_id:
        return True
    return is_coordinator(session, actor=actor, state=shift.state)


def require_shift_runner(session: Session, *, actor: Actor, shift: Shift, doing: str) -> None:
    """The host runs their own shift (roster, attendance, edit, cancel); coordinators and admins
    run every shift in their states. Anyone else is told who can. `doing` may be a catalog
    message naming the shift as `{shift}` and its state as `{state}`."""
    if runs_shift(session, actor=actor, shift=shift):
        return
    coordinators = tuple(coordinator_ids(session, team_id=shift.team_id, state=shift.state))
    raise NotShiftRunner(shift.state, shift.host_id, coordinators, doing, shift=shift.id)


def coordinator_ids(session: Session, *, team_id: str, state: str) -> list[str]:
    """The coordinators of `state` in workspace `team_id`, longest-serving first."""
    return list(
        session.exec(
            select(Coordinator.user_id)
            .where(Coordinator.team_id == team_id, Coordinator.state == state)
            .order_by(col(Coordinator.granted_at), col(Coordinator.user_id))
        )
    )


def coordinated_states(session: Session, *, actor: Actor) -> list[str]:
    """The states the actor may coordinate: every known state for an admin."""
    if actor.is_admin:
        return sorted(PLACES)
    return sorted(
        session.exec(
            select(Coordinator.state).where(
                Coordinator.team_id == actor.team_id, Coordinator.user_id == actor.user_id
            )
        )
    )
