"""Volunteers, states and roles: who someone is, where they organise, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.db import insert_for
from bot.geo import PLACES
from bot.models import Coordinator, State, Volunteer
from bot.services.errors import NotFound, Refused

PROFILE_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Profile:
    """What Slack's `users.info` says of someone (a fallback profile is just the id)."""

    user_id: str
    display_name: str = ""
    real_name: str = ""
    email: str | None = None
    timezone: str | None = None
    is_workspace_admin: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.real_name or self.user_id


@dataclass(frozen=True)
class Actor:
    """The person acting, with the admin right already decided at the edge."""

    user_id: str
    is_admin: bool


def sync_volunteer(
    session: Session, *, profile: Profile, now: datetime, max_age: timedelta = PROFILE_MAX_AGE
) -> None:
    """Create or refresh the volunteer from their Slack profile; keeps their home state.

    Skipped while the stored profile is fresh; an upsert, so two first requests from the
    same person at once cannot collide."""
    stored = session.exec(select(Volunteer.profile_updated_at).where(Volunteer.id == profile.user_id)).first()
    if stored is not None and now - stored < max_age:
        return
    profile_values = {
        "display_name": profile.display_name[:120],
        "real_name": profile.real_name[:120],
        "email": profile.email,
        "timezone": profile.timezone,
        "is_workspace_admin": profile.is_workspace_admin,
        "profile_updated_at": now,
    }
    statement = insert_for(session)(Volunteer).values(id=profile.user_id, created_at=now, **profile_values)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={name: statement.excluded[name] for name in profile_values}
    )
    session.execute(statement)


def ensure_volunteer(session: Session, *, user_id: str, now: datetime) -> None:
    """A volunteer row for `user_id`, without waiting on Slack for the profile (filled in later)."""
    session.execute(
        insert_for(session)(Volunteer)
        .values(id=user_id, created_at=now, profile_updated_at=now - PROFILE_MAX_AGE)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def ensure_state(session: Session, code: str, *, now: datetime) -> State:
    """The state's row, created with its default time zone the first time it is used."""
    state = session.get(State, code)
    if state is None:
        state = State(code=code, timezone=PLACES[code].timezone, created_at=now)
        session.add(state)
        session.flush()
    return state


def state_timezone(session: Session, code: str) -> str:
    state = session.get(State, code)
    return state.timezone if state else PLACES[code].timezone


def bind_state(
    session: Session,
    *,
    actor: Actor,
    code: str,
    channel_id: str,
    timezone: str | None,
    now: datetime,
) -> State:
    """Admins bind a state to a channel (one state per channel) and may override its zone."""
    require_admin(actor, "bind a state to a channel")
    holder = session.exec(select(State).where(State.channel_id == channel_id)).first()
    if holder is not None and holder.code != code:
        raise Refused(
            f"<#{channel_id}> is already {holder.code}'s channel. "
            f"Bind {holder.code} elsewhere first, or pick another channel for {code}."
        )
    state = ensure_state(session, code, now=now)
    state.channel_id = channel_id
    if timezone:
        state.timezone = timezone
    session.add(state)
    session.flush()
    return state


def state_for_channel(session: Session, channel_id: str) -> str | None:
    return session.exec(select(State.code).where(State.channel_id == channel_id)).first()


def state_channel(session: Session, code: str) -> str | None:
    state = session.get(State, code)
    return state.channel_id if state else None


def default_state(session: Session, *, channel_id: str, user_id: str) -> str | None:
    """The channel's state, else the person's home state, else None (all states)."""
    bound = state_for_channel(session, channel_id)
    if bound:
        return bound
    volunteer = session.get(Volunteer, user_id)
    return volunteer.home_state if volunteer else None


def personal_timezone(session: Session, *, user_id: str, profile_tz: str | None, fallback: str) -> str:
    """Whose days a person's own stats count in: their Slack zone, else their home state's, else `fallback`."""
    if profile_tz:
        return profile_tz
    volunteer = session.get(Volunteer, user_id)
    home = volunteer.home_state if volunteer else None
    return state_timezone(session, home) if home else fallback


def set_home_state(session: Session, *, user_id: str, code: str, now: datetime) -> None:
    """Anyone may set their own home state."""
    ensure_state(session, code, now=now)
    volunteer = session.get(Volunteer, user_id)
    if volunteer is None:
        raise NotFound("I don't know you yet; try again in a moment.")
    volunteer.home_state = code
    session.add(volunteer)
    session.flush()


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
        "a " + state + " coordinator (" + ", ".join(f"<@{u}>" for u in names) + ") or an admin"
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


def grant_coordinator(session: Session, *, actor: Actor, user_id: str, state: str, now: datetime) -> bool:
    """Admins grant; False when the person already coordinated the state."""
    require_admin(actor, "grant coordinator roles")
    ensure_state(session, state, now=now)
    ensure_volunteer(session, user_id=user_id, now=now)
    if session.get(Coordinator, (user_id, state)) is not None:
        return False
    session.add(Coordinator(user_id=user_id, state=state, granted_by=actor.user_id, granted_at=now))
    session.flush()
    return True


def revoke_coordinator(session: Session, *, actor: Actor, user_id: str, state: str) -> None:
    """Admins revoke; naming someone who was not a coordinator is an error."""
    require_admin(actor, "revoke coordinator roles")
    role = session.get(Coordinator, (user_id, state))
    if role is None:
        raise NotFound(f"<@{user_id}> is not a {state} coordinator, so there is nothing to revoke.")
    session.delete(role)
    session.flush()


MAX_CUTOFF_HOURS = 72


def set_unclaim_cutoff(session: Session, *, actor: Actor, code: str, minutes: int, now: datetime) -> State:
    """Coordinators set how close to the start volunteers may still release a shift themselves."""
    require_coordinator(session, actor=actor, state=code, doing=f"change {code}'s release cutoff")
    if not 0 <= minutes <= MAX_CUTOFF_HOURS * 60:
        raise Refused(f"The cutoff must be between 0 and {MAX_CUTOFF_HOURS} hours.")
    state = ensure_state(session, code, now=now)
    state.unclaim_cutoff_minutes = minutes
    session.add(state)
    session.flush()
    return state


def find_volunteer_by_name(session: Session, name: str) -> list[str]:
    """Ids of known volunteers whose display or real name is `name` (case-insensitive)."""
    lowered = name.lower()
    matches = or_(func.lower(Volunteer.display_name) == lowered, func.lower(Volunteer.real_name) == lowered)
    return list(session.exec(select(Volunteer.id).where(matches).limit(5)))


def display_names(session: Session, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(Volunteer.id, Volunteer.display_name, Volunteer.real_name).where(
            col(Volunteer.id).in_(user_ids)
        )
    )
    return {vid: display or real or vid for vid, display, real in rows}
