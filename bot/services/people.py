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
from bot.services.members import Member
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
    """What Slack's `users.info` says of someone in one workspace (a fallback profile is just the
    id), and, once stored, the language they chose in Turnout (`language`, never from Slack)."""

    team_id: str
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
    def member(self) -> Member:
        return Member(self.team_id, self.user_id)

    @property
    def reads(self) -> str:
        """The language this person reads: the one they chose, else their Slack locale's."""
        return person_language(self.language, self.locale)


def stored_profile(session: Session, *, who: Member) -> tuple[Profile, datetime] | None:
    """The profile stored for `who` and when it was fetched from Slack; None for someone never seen."""
    row = run(session, _STORED_PROFILE, {"team_id": who.team_id, "user_id": who.user_id}).first()
    return profile_from(who, row) if row is not None else None


def profile_columns(volunteer: Any) -> tuple[Any, ...]:
    """The columns of a stored profile in `volunteer` (the table or an alias of it), read back
    by `profile_from`: for a statement that reads the profile along with something else."""
    return (
        volunteer.c.id.label("profile_id"),
        volunteer.c.display_name,
        volunteer.c.real_name,
        volunteer.c.email,
        volunteer.c.timezone,
        volunteer.c.is_workspace_admin,
        volunteer.c.profile_updated_at,
        volunteer.c.locale,
        volunteer.c.language,
    )


def profile_from(who: Member, row: Any) -> tuple[Profile, datetime] | None:
    """The stored profile in a row read with `profile_columns`, and when it was fetched; None
    where the row holds no volunteer (an outer join that found none)."""
    if row.profile_id is None:
        return None
    return (
        Profile(
            team_id=who.team_id,
            user_id=who.user_id,
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
    sa_select(*profile_columns(Volunteer.__table__)).where(  # type: ignore[attr-defined]
        _v.team_id == bindparam("team_id"), _v.id == bindparam("user_id")
    )
)
_PROFILE_UPDATED_AT = sa_select(_v.profile_updated_at).where(
    _v.team_id == bindparam("team_id"), _v.id == bindparam("user_id")
)


def sync_volunteer(
    session: Session, *, profile: Profile, now: datetime, max_age: timedelta = PROFILE_MAX_AGE
) -> None:
    """Create or refresh the volunteer from their Slack profile; keeps their home state.

    Skipped while the stored profile is fresh; an upsert, so two first requests from the
    same person at once cannot collide."""
    stored = run(
        session, _PROFILE_UPDATED_AT, {"team_id": profile.team_id, "user_id": profile.user_id}
    ).scalar()
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
    run(
        session,
        _SYNC_VOLUNTEER[dialect],
        {"team_id": profile.team_id, "id": profile.user_id, "created_at": now, **values},
    )


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
        {name: bindparam(name) for name in ("team_id", "id", "created_at", *_PROFILE_COLUMNS)}
    )
    return statement.on_conflict_do_update(
        index_elements=["team_id", "id"], set_={name: statement.excluded[name] for name in _PROFILE_COLUMNS}
    )


_SYNC_VOLUNTEER = {"sqlite": _sync_statement(sqlite_insert), "postgresql": _sync_statement(pg_insert)}


def ensure_volunteer(session: Session, *, who: Member, now: datetime) -> None:
    """A volunteer row for `who`, without waiting on Slack for the profile (filled in later)."""
    run(
        session,
        _ENSURE_VOLUNTEER[session.get_bind().dialect.name],
        {
            "team_id": who.team_id,
            "id": who.user_id,
            "created_at": now,
            "profile_updated_at": now - PROFILE_MAX_AGE,
        },
    )


def _ensure_statement(insert: Any) -> Any:
    columns = ("team_id", "id", "created_at", "profile_updated_at")
    return (
        insert(Volunteer)
        .values({name: bindparam(name) for name in columns})
        .on_conflict_do_nothing(index_elements=["team_id", "id"])
    )


_ENSURE_VOLUNTEER = {
    "sqlite": Prepared(_ensure_statement(sqlite_insert)),
    "postgresql": Prepared(_ensure_statement(pg_insert)),
}


def personal_timezone(session: Session, *, who: Member, profile_tz: str | None, fallback: str) -> str:
    """Whose days a person's own stats count in: their Slack zone (as Slack just said, else as
    last stored), else their home state's, else `fallback`."""
    if profile_tz:
        return profile_tz
    volunteer = session.get(Volunteer, (who.team_id, who.user_id))
    if volunteer is not None and volunteer.timezone:
        return volunteer.timezone
    home = volunteer.home_state if volunteer else None
    return state_timezone(session, team_id=who.team_id, code=home) if home else fallback


def set_home_state(session: Session, *, who: Member, code: str, now: datetime) -> None:
    """Anyone may set their own home state (their workspace's state of that code)."""
    ensure_state(session, team_id=who.team_id, code=code, now=now)
    volunteer = session.get(Volunteer, (who.team_id, who.user_id))
    if volunteer is None:
        raise NotFound("I don't know you yet; try again in a moment.")
    volunteer.home_state = code
    session.add(volunteer)
    session.flush()


def set_language(session: Session, *, who: Member, code: str | None, now: datetime) -> None:
    """Anyone may choose the language Turnout speaks to them (`code`), or follow their Slack
    locale again (None)."""
    if code is not None and code not in LANGUAGES:
        raise NotFound(N_("Turnout doesn't speak `{code}` yet."), code=code[:20])
    ensure_volunteer(session, who=who, now=now)
    session.execute(
        sa_update(Volunteer)
        .where(col(Volunteer.team_id) == who.team_id, col(Volunteer.id) == who.user_id)
        .values(language=code)
    )


def language_of(session: Session, who: Member) -> str:
    """The language `who` reads (the one they chose, else their Slack locale's, else
    English): what a DM to them is written in."""
    return languages_of(session, team_id=who.team_id, user_ids=[who.user_id])[who.user_id]


def languages_of(session: Session, *, team_id: str, user_ids: list[str]) -> dict[str, str]:
    """The language each of `user_ids` of workspace `team_id` reads, in one query (English for
    someone never seen)."""
    found = (
        {
            user_id: person_language(chosen, locale)
            for user_id, chosen, locale in session.exec(
                select(Volunteer.id, Volunteer.language, Volunteer.locale).where(
                    col(Volunteer.team_id) == team_id, col(Volunteer.id).in_(user_ids)
                )
            )
        }
        if user_ids
        else {}
    )
    return {user_id: found.get(user_id, person_language(None, None)) for user_id in user_ids}


def grant_coordinator(session: Session, *, actor: Actor, user_id: str, state: str, now: datetime) -> bool:
    """Admins grant, to people of their own workspace; False when the person already coordinated
    the state."""
    require_admin(actor, N_("grant coordinator roles"))
    team_id = actor.team_id
    ensure_state(session, team_id=team_id, code=state, now=now)
    ensure_volunteer(session, who=Member(team_id, user_id), now=now)
    if session.get(Coordinator, (team_id, user_id, state)) is not None:
        return False
    session.add(
        Coordinator(team_id=team_id, user_id=user_id, state=state, granted_by=actor.user_id, granted_at=now)
    )
    session.flush()
    return True


def revoke_coordinator(session: Session, *, actor: Actor, user_id: str, state: str) -> None:
    """Admins revoke; naming someone who was not a coordinator is an error."""
    require_admin(actor, N_("revoke coordinator roles"))
    role = session.get(Coordinator, (actor.team_id, user_id, state))
    if role is None:
        raise NotCoordinating(user_id, state)
    session.delete(role)
    session.flush()


def find_volunteer_by_name(session: Session, *, team_id: str, name: str) -> list[str]:
    """Ids of known volunteers of workspace `team_id` whose display or real name is `name`
    (case-insensitive): never someone of another organization."""
    lowered = name.lower()
    matches = or_(func.lower(Volunteer.display_name) == lowered, func.lower(Volunteer.real_name) == lowered)
    return list(session.exec(select(Volunteer.id).where(Volunteer.team_id == team_id, matches).limit(5)))


def display_names(session: Session, *, team_id: str, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.exec(
        select(Volunteer.id, Volunteer.display_name, Volunteer.real_name).where(
            col(Volunteer.team_id) == team_id, col(Volunteer.id).in_(user_ids)
        )
    )
    return {vid: display or real or vid for vid, display, real in rows}
