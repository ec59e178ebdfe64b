"""Volunteers: who someone is (their Slack profile), their home state and zone, and granting roles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.db import Prepared, run
from bot.i18n import LANGUAGES, N_, person_language
from bot.models import Coordinator, Volunteer
from bot.services.errors import NotCoordinating, NotFound
from bot.services.roles import Actor, require_admin
from bot.services.states import ensure_state, state_timezone

# A stored profile older than this is fetched again from Slack after the answer: names and
# time zones change rarely, and in a surge Slack's users.info limit allows few calls.
PROFILE_MAX_AGE = timedelta(days=1)
# Whether someone is a workspace admin decides what they may do: for that the stored profile
# is trusted for this long, and asked of Slack again, before answering, when it is older.
PERMISSION_MAX_AGE = timedelta(minutes=10)


@dataclass(frozen=True)
class Profile:
    """What Slack's `users.info` says of someone (a fallback profile is just the id), and, once
    stored, the language they chose in Turnout (`language`, never from Slack)."""

    user_id: str
    display_name: str = ""
    real_name: str = ""
    email: str | None = None
    timezone: str | None = None
    is_workspace_admin: bool = False
    locale: str | None = None
    language: str | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.real_name or self.user_id

    @property
    def reads(self) -> str:
        """The language this person reads: the one they chose, else their Slack locale's."""
        return person_language(self.language, self.locale)


def stored_profile(session: Session, *, user_id: str) -> tuple[Profile, datetime] | None:
    """The profile stored for `user_id` and when it was fetched from Slack; None for someone never seen."""
    row = run(session, _STORED_PROFILE, {"user_id": user_id}).first()
    if row is None:
        return None
    return (
        Profile(
            user_id=user_id,
            display_name=row.display_name or "",
            real_name=row.real_name or "",
            email=row.email,
            timezone=row.timezone,
            is_workspace_admin=bool(row.is_workspace_admin),
            locale=row.locale,
            language=row.language,
        ),
        row.profile_updated_at,
    )


_v = Volunteer.__table__.c  # type: ignore[attr-defined]
# Built once so SQLAlchemy's compiled cache serves every request.
_STORED_PROFILE = Prepared(
    sa_select(
        _v.display_name,
        _v.real_name,
        _v.email,
        _v.timezone,
        _v.is_workspace_admin,
        _v.profile_updated_at,
        _v.locale,
        _v.language,
    ).where(_v.id == bindparam("user_id"))
)
_PROFILE_UPDATED_AT = sa_select(_v.profile_updated_at).where(_v.id == bindparam("user_id"))


def sync_volunteer(
    session: Session, *, profile: Profile, now: datetime, max_age: timedelta = PROFILE_MAX_AGE
) -> None:
    """Create or refresh the volunteer from their Slack profile; keeps their home state.

    Skipped while the stored profile is fresh; an upsert, so two first requests from the
    same person at once cannot collide."""
    stored = run(session, _PROFILE_UPDATED_AT, {"user_id": profile.user_id}).scalar()
    if stored is not None and now - stored < max_age:
        return
    values = {
        "display_name": profile.display_name[:120],
        "real_name": profile.real_name[:120],
        "email": profile.email,
        "timezone": profile.timezone,
        "is_workspace_admin": profile.is_workspace_admin,
        "profile_updated_at": now,
        "locale": (profile.locale or "")[:16] or None,
    }
    dialect = session.get_bind().dialect.name
    run(session, _SYNC_VOLUNTEER[dialect], {"id": profile.user_id, "created_at": now, **values})


_PROFILE_COLUMNS = (
    "display_name",
    "real_name",
    "email",
    "timezone",
    "is_workspace_admin",
    "profile_updated_at",
    "locale",
)


def _sync_statement(insert: Any) -> Any:
    # Built once per dialect, so SQLAlchemy compiles it once rather than on every refresh.
    statement = insert(Volunteer).values(
        {name: bindparam(name) for name in ("id", "created_at", *_PROFILE_COLUMNS)}
    )
    return statement.on_conflict_do_update(
        index_elements=["id"], set_={name: statement.excluded[name] for name in _PROFILE_COLUMNS}
    )


_SYNC_VOLUNTEER = {"sqlite": _sync_statement(sqlite_insert), "postgresql": _sync_statement(pg_insert)}


def ensure_volunteer(session: Session, *, user_id: str, now: datetime) -> None:
    """A volunteer row for `user_id`, without waiting on Slack for the profile (filled in later)."""
    run(
        session,
        _ENSURE_VOLUNTEER[session.get_bind().dialect.name],
        {"id": user_id, "created_at": now, "profile_updated_at": now - PROFILE_MAX_AGE},
    )


def _ensure_statement(insert: Any) -> Any:
    columns = ("id", "created_at", "profile_updated_at")
    return (
        insert(Volunteer)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["id"])
    )


_ENSURE_VOLUNTEER = {
    "sqlite": Prepared(_ensure_statement(sqlite_insert)),
    "postgresql": Prepared(_ensure_statement(pg_insert)),
}


def personal_timezone(session: Session, *, user_id: str, profile_tz: str | None, fallback: str) -> str:
    """Whose days a person's own stats count in: their Slack zone (as Slack just said, else as
    last stored), else their home state's, else `fallback`."""
    if profile_tz:
        return profile_tz
    volunteer = session.get(Volunteer, user_id)
    if volunteer is not None and volunteer.timezone:
        return volunteer.timezone
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


def set_language(session: Session, *, user_id: str, code: str | None, now: datetime) -> None:
    """Anyone may choose the language Turnout speaks to them (`code`), or follow their Slack
    locale again (None)."""
    if code is not None and code not in LANGUAGES:
        raise NotFound(N_("Turnout doesn't speak `{code}` yet."), code=code[:20])
    ensure_volunteer(session, user_id=user_id, now=now)
    session.execute(sa_update(Volunteer).where(col(Volunteer.id) == user_id).values(language=code))


def language_of(session: Session, user_id: str) -> str:
    """The language `user_id` reads (the one they chose, else their Slack locale's, else
    English): what a DM to them is written in."""
    return languages_of(session, [user_id])[user_id]


def languages_of(session: Session, user_ids: list[str]) -> dict[str, str]:
    """The language each of `user_ids` reads, in one query (English for someone never seen)."""
    found = (
        {
            user_id: person_language(chosen, locale)
            for user_id, chosen, locale in session.exec(
                select(Volunteer.id, Volunteer.language, Volunteer.locale).where(
                    col(Volunteer.id).in_(user_ids)
                )
            )
        }
        if user_ids
        else {}
    )
    return {user_id: found.get(user_id, person_language(None, None)) for user_id in user_ids}


def grant_coordinator(session: Session, *, actor: Actor, user_id: str, state: str, now: datetime) -> bool:
    """Admins grant; False when the person already coordinated the state."""
    require_admin(actor, N_("grant coordinator roles"))
    ensure_state(session, state, now=now)
    ensure_volunteer(session, user_id=user_id, now=now)
    if session.get(Coordinator, (user_id, state)) is not None:
        return False
    session.add(Coordinator(user_id=user_id, state=state, granted_by=actor.user_id, granted_at=now))
    session.flush()
    return True


def revoke_coordinator(session: Session, *, actor: Actor, user_id: str, state: str) -> None:
    """Admins revoke; naming someone who was not a coordinator is an error."""
    require_admin(actor, N_("revoke coordinator roles"))
    role = session.get(Coordinator, (user_id, state))
    if role is None:
        raise NotCoordinating(user_id, state)
    session.delete(role)
    session.flush()


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
