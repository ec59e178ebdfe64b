"""Test data: small functions that write one thing each and return it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from bot.localslack.webapi import TEAM_ID
from bot.models import Coordinator, Shift, ShiftKind, Signup, SignupStatus, TrustedHost
from bot.services.clock import local_date, local_instant
from bot.services.members import Member
from bot.services.people import Profile, sync_volunteer
from bot.services.roles import Actor
from bot.services.states import ensure_state

# The stand-in's own workspace: where every single-workspace test acts.
TEAM = TEAM_ID
ADMIN = Actor(TEAM, "UADMIN", is_admin=True)


def member(user_id: str, team: str = TEAM) -> Member:
    return Member(team, user_id)


def volunteer(
    session: Session, user_id: str, now: datetime, name: str | None = None, *, team: str = TEAM
) -> str:
    sync_volunteer(session, profile=Profile(team, user_id, display_name=name or user_id.lower()), now=now)
    return user_id


def coordinator(session: Session, user_id: str, state: str, now: datetime) -> Actor:
    volunteer(session, user_id, now)
    ensure_state(session, team_id=TEAM, code=state, now=now)
    session.add(Coordinator(team_id=TEAM, user_id=user_id, state=state, granted_by="UADMIN", granted_at=now))
    session.flush()
    return Actor(TEAM, user_id, is_admin=False)


def shift(
    session: Session,
    now: datetime,
    *,
    state: str = "IA",
    days_ahead: int = 2,
    day: date | None = None,
    start: time = time(10),
    hours: int = 3,
    capacity: int = 5,
    kind: ShiftKind = ShiftKind.CANVASS,
    location: str = "Des Moines HQ, 123 Main St",
    host: str | None = None,
    team: str = TEAM,
    created_by: str = "UADMIN",
) -> int:
    st = ensure_state(session, team_id=team, code=state, now=now)
    day = day or local_date(now, st.timezone) + timedelta(days=days_ahead)
    starts_at = local_instant(day, start, st.timezone)
    row = Shift(
        team_id=team,
        state=state,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        location=location,
        capacity=capacity,
        created_by=created_by,
        created_at=now,
        host_id=host,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def signup(
    session: Session, shift_id: int, user_id: str, now: datetime, status: SignupStatus = SignupStatus.CLAIMED
) -> int:
    """A signup written directly (history a test needs in place), bypassing the claim's rules."""
    volunteer(session, user_id, now)
    row = Signup(
        team_id=TEAM, shift_id=shift_id, volunteer_id=user_id, status=status, created_at=now, updated_at=now
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def trusted_host(session: Session, user_id: str, state: str, now: datetime) -> str:
    volunteer(session, user_id, now)
    ensure_state(session, team_id=TEAM, code=state, now=now)
    session.add(TrustedHost(team_id=TEAM, user_id=user_id, state=state, granted_by="UCOORD", granted_at=now))
    session.flush()
    return user_id
