"""States: their zones, their channels, and the per-state settings coordinators change.

A state is one workspace's: each organization of the coalition binds its own channel for Iowa,
with its own zone, times and leads."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

import sqlalchemy as sa
from sqlmodel import Session, select

from bot.db import Prepared, run
from bot.i18n import ENGLISH_CODE, LANGUAGES, N_
from bot.models import State, Volunteer
from bot.services.errors import ChannelTaken, Refused, UnknownTimezone
from bot.services.members import Member
from bot.services.places import PLACES
from bot.services.roles import Actor, coordinator_ids, require_admin, require_coordinator


def ensure_state(session: Session, *, team_id: str, code: str, now: datetime) -> State:
    """The workspace's row for the state, created with its default time zone the first time it is used."""
    state = session.get(State, (team_id, code))
    if state is None:
        state = State(team_id=team_id, code=code, timezone=PLACES[code].timezone, created_at=now)
        session.add(state)
        session.flush()
    return state


def state_timezone(session: Session, *, team_id: str, code: str) -> str:
    timezone = run(session, _STATE_TIMEZONE, {"team_id": team_id, "code": code}).scalar()
    return str(timezone) if timezone else PLACES[code].timezone


def bind_state(
    session: Session,
    *,
    actor: Actor,
    code: str,
    channel_id: str,
    timezone: str | None,
    now: datetime,
) -> State:
    """Admins bind a state to a channel (one state per channel, never a leads channel) and may
    override its zone."""
    if timezone is not None and timezone not in known_timezones():
        raise UnknownTimezone(timezone)
    require_admin(actor, N_("bind a state to a channel"))
    team_id = actor.team_id
    holder = session.exec(
        select(State).where(State.team_id == team_id, State.channel_id == channel_id)
    ).first()
    if holder is not None and holder.code != code:
        raise ChannelTaken(channel_id, holder.code, code)
    leads = session.exec(
        select(State.code).where(State.team_id == team_id, State.leads_channel_id == channel_id)
    ).first()
    if leads is not None:  # the leaders' channel: proposals and no-shows are not for volunteers
        raise ChannelTaken(channel_id, leads, code, leads=True)
    state = ensure_state(session, team_id=team_id, code=code, now=now)
    state.channel_id = channel_id
    if timezone:
        state.timezone = timezone
    session.add(state)
    session.flush()
    return state


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def state_for_channel(session: Session, *, team_id: str, channel_id: str) -> str | None:
    code = run(session, _STATE_FOR_CHANNEL, {"team_id": team_id, "channel_id": channel_id}).scalar()
    return str(code) if code is not None else None


_s = State.__table__.c  # type: ignore[attr-defined]
# Built once, with bound parameters, so SQLAlchemy compiles each once.
_STATE_TIMEZONE = Prepared(
    sa.select(_s.timezone).where(_s.team_id == sa.bindparam("team_id"), _s.code == sa.bindparam("code"))
)
_STATE_FOR_CHANNEL = Prepared(
    sa.select(_s.code).where(
        _s.team_id == sa.bindparam("team_id"), _s.channel_id == sa.bindparam("channel_id")
    )
)


def state_channel(session: Session, *, team_id: str, code: str) -> str | None:
    state = session.get(State, (team_id, code))
    return state.channel_id if state else None


def default_state(session: Session, *, channel_id: str, who: Member) -> str | None:
    """The channel's state in the person's workspace, else their home state, else None (all states)."""
    bound = state_for_channel(session, team_id=who.team_id, channel_id=channel_id)
    if bound:
        return bound
    volunteer = session.get(Volunteer, (who.team_id, who.user_id))
    return volunteer.home_state if volunteer else None


MAX_CUTOFF_HOURS = 72


def set_unclaim_cutoff(session: Session, *, actor: Actor, code: str, minutes: int, now: datetime) -> State:
    """Coordinators set how close to the start volunteers may still release a shift themselves."""
    require_coordinator(session, actor=actor, state=code, doing=N_("change {state}'s release cutoff"))
    if not 0 <= minutes <= MAX_CUTOFF_HOURS * 60:
        raise Refused(N_("The cutoff must be between 0 and {maximum} hours."), maximum=MAX_CUTOFF_HOURS)
    state = ensure_state(session, team_id=actor.team_id, code=code, now=now)
    state.unclaim_cutoff_minutes = minutes
    session.add(state)
    session.flush()
    return state


def state_language(session: Session, *, team_id: str, code: str) -> str:
    """The language of the posts in a workspace's channel for the state (English unless a
    coordinator chose)."""
    return channel_language(
        session.exec(select(State.language).where(State.team_id == team_id, State.code == code)).first()
    )


def channel_language(stored: str | None) -> str:
    """A state's stored channel language as Turnout speaks it: English unless one it speaks."""
    return stored if stored in LANGUAGES else ENGLISH_CODE


def set_state_language(session: Session, *, actor: Actor, code: str, language: str, now: datetime) -> State:
    """Coordinators choose the language of their state's channel posts."""
    require_coordinator(
        session, actor=actor, state=code, doing=N_("choose the language of the state's channel posts")
    )
    if language not in LANGUAGES:
        raise Refused(N_("Turnout doesn't speak `{code}` yet."), code=language[:20])
    state = ensure_state(session, team_id=actor.team_id, code=code, now=now)
    state.language = language
    session.add(state)
    session.flush()
    return state


def leads_targets(session: Session, *, team_id: str, code: str) -> list[str]:
    """Where news for a state's leaders in workspace `team_id` goes (SPEC §8, leads channel): its
    leads channel if one is bound, else each of its coordinators by DM (their user ids), else nowhere."""
    state = session.get(State, (team_id, code))
    if state is not None and state.leads_channel_id:
        return [state.leads_channel_id]
    return coordinator_ids(session, team_id=team_id, state=code)
