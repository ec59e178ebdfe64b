"""Roles: who may do what. Admins act everywhere; a coordinator on their own states."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.models import Coordinator
from bot.services.errors import Refused
from bot.services.places import PLACES, article


@dataclass(frozen=True)
class Actor:
    """The person acting, with the admin right already decided at the edge."""

    user_id: str
    is_admin: bool


def require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise Refused(f"Only a Turnout admin can {doing}. Ask a workspace admin or owner.")


def is_coordinator(session: Session, *, actor: Actor, state: str) -> bool:
    if actor.is_admin:
        return True
    return session.get(Coordinator, (actor.user_id, state)) is not None


def require_coordinator(session: Session, *, actor: Actor, state: str, doing: str) -> None:
    """Coordinators act on their own states, admins on all; anyone else is told who can."""
    if is_coordinator(session, actor=actor, state=state):
        return
    names = coordinator_ids(session, state)
    who = (
        f"{article(state)} {state} coordinator (" + ", ".join(f"<@{u}>" for u in names) + ") or an admin"
        if names
        else f"an admin (no one coordinates {state} yet)"
    )
    raise Refused(f"Only {who} can {doing}.")


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
