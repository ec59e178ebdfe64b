"""The ladder of engagement (SPEC §8): where each volunteer stands in each state.

Rungs, lowest first: *new* (signed up, never attended), *active* (attended 1+), *regular* (3+
shifts attended in the last 30 days), *host* (hosts 1+ published shift), *trusted host* (granted
by a coordinator). A volunteer stands on the highest rung whose condition holds.

The `engagement` rollup is kept in the same transaction as every change it depends on, so
`/turnout people`, the evening post's cheers and the rosters' no-show flags read an index and
never a volunteer's history. Whatever changes what it counts calls one of:

- `note_signup` when someone signs up for a shift (a claim, a place given on the roster);
- `refresh` when an attendance mark changes (attended, no-show, a correction, a walk-in), or a
  shift someone hosts is published or cancelled (`hosted` counts their published shifts that are
  not cancelled), or a trusted host is granted.

Both take the shift's lock first (the caller's), then the engagement row's, always in that order.
Attendance counts whatever became of the shift afterwards: a person marked attended was there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from bot.db import Prepared, run
from bot.i18n import N_
from bot.models import (
    ContactWeek,
    Engagement,
    Shift,
    ShiftKind,
    ShiftStatus,
    Signup,
    SignupStatus,
    TrustedHost,
)
from bot.services.members import Member
from bot.services.people import display_names
from bot.services.roles import Actor, require_coordinator
from bot.services.states import state_timezone

REGULAR_SHIFTS = 3
REGULAR_WINDOW = timedelta(days=30)
LAPSED_AFTER = timedelta(days=30)
NO_SHOW_WINDOW = timedelta(days=60)
# Rosters flag anyone with this many no-shows in NO_SHOW_WINDOW.
NO_SHOW_FLAG = 2
PEOPLE_PAGE = 10


class Rung(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    REGULAR = "regular"
    HOST = "host"
    TRUSTED = "trusted_host"


RUNG_ORDER = tuple(Rung)


def rung_rank(rung: Rung | str | None) -> int:
    """A rung's height on the ladder (-1 for none, or a name this version does not know)."""
    return RUNG_ORDER.index(Rung(rung)) if rung in RUNG_ORDER else -1


def rung_of(row: Engagement | None, *, trusted: bool, now: datetime) -> Rung:
    """The highest rung whose condition holds at `now`."""
    if trusted:
        return Rung.TRUSTED
    if row is None:
        return Rung.NEW
    if row.hosted > 0:
        return Rung.HOST
    if is_regular(row, now):
        return Rung.REGULAR
    return Rung.ACTIVE if row.attended > 0 else Rung.NEW


def is_regular(row: Engagement, now: datetime) -> bool:
    return row.third_last_attended_at is not None and row.third_last_attended_at >= now - REGULAR_WINDOW


def flagged_for_no_shows(row: Engagement | None, now: datetime) -> bool:
    """2+ no-shows in the last 60 days (in the row's state)."""
    return (
        row is not None
        and row.second_last_no_show_at is not None
        and row.second_last_no_show_at >= now - NO_SHOW_WINDOW
    )


# ---------------------------------------------------------------- keeping it current

_e = Engagement.__table__  # type: ignore[attr-defined]


def _note_statement(insert: Any) -> Any:
    # Built once per dialect, so the claim's hot path compiles nothing.
    return (
        insert(_e)
        .values(
            team_id=bindparam("team_id"),
            volunteer_id=bindparam("volunteer_id"),
            state=bindparam("state"),
            first_signup_at=bindparam("now"),
            attended=0,
            hosted=0,
            no_shows=0,
        )
        .on_conflict_do_nothing(index_elements=["team_id", "volunteer_id", "state"])
    )


_NOTE_SIGNUP = {
    "sqlite": Prepared(_note_statement(sqlite_insert)),
    "postgresql": Prepared(_note_statement(pg_insert)),
}


def note_signup(session: Session, *, who: Member, state: str, now: datetime) -> None:
    """Someone signed up for a shift in `state`: they are on the ladder there, in their own
    workspace, from now on (one statement; a second signup changes nothing)."""
    dialect = session.get_bind().dialect.name
    run(
        session,
        _NOTE_SIGNUP[dialect],
        {"team_id": who.team_id, "volunteer_id": who.user_id, "state": state, "now": now},
    )


def refresh(session: Session, *, who: Member, state: str, now: datetime) -> Engagement:
    """Count the volunteer's standing in `state` again from their signups and the shifts they host.

    The engagement row is locked before anything is counted, so two marks for one person at
    once (on two shifts, by two people) are counted one after the other, never one over the other."""
    note_signup(session, who=who, state=state, now=now)
    team_id, volunteer_id = who.team_id, who.user_id
    row = session.exec(
        select(Engagement)
        .where(
            Engagement.team_id == team_id, Engagement.volunteer_id == volunteer_id, Engagement.state == state
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    signups = session.exec(
        select(Signup.status, Signup.created_at, Shift.id, Shift.starts_at)
        .join(Shift, col(Shift.id) == col(Signup.shift_id))
        .where(Signup.team_id == team_id, Signup.volunteer_id == volunteer_id, Shift.state == state)
    ).all()
    hosted = session.exec(
        select(func.count())
        .select_from(Shift)
        .where(
            Shift.team_id == team_id,
            Shift.host_id == volunteer_id,
            Shift.state == state,
            Shift.status == ShiftStatus.OPEN,
        )
    ).one()
    attended = sorted(
        ((at, sid) for status, _, sid, at in signups if status == SignupStatus.ATTENDED), reverse=True
    )
    absent = sorted((at for status, _, _, at in signups if status == SignupStatus.NO_SHOW), reverse=True)
    if signups:
        row.first_signup_at = min(created for _, created, _, _ in signups)
    row.attended, row.no_shows, row.hosted = len(attended), len(absent), int(hosted)
    row.last_attended_at, row.last_shift_id = attended[0] if attended else (None, None)
    row.third_last_attended_at = attended[REGULAR_SHIFTS - 1][0] if len(attended) >= REGULAR_SHIFTS else None
    row.second_last_no_show_at = absent[NO_SHOW_FLAG - 1] if len(absent) >= NO_SHOW_FLAG else None
    session.add(row)
    session.flush()
    return row


def refresh_host(session: Session, *, shift: Shift, now: datetime) -> None:
    """A shift someone hosts was published or cancelled: their count of hosted shifts moves."""
    if shift.host_id is not None:
        refresh(session, who=Member(shift.team_id, shift.host_id), state=shift.state, now=now)


def standing(session: Session, *, who: Member, state: str, now: datetime) -> Rung:
    """The volunteer's rung in `state` now."""
    key = (who.team_id, who.user_id, state)
    trusted = session.get(TrustedHost, key) is not None
    return rung_of(session.get(Engagement, key), trusted=trusted, now=now)


def no_show_flags(
    session: Session, *, team_id: str, state: str, volunteer_ids: list[str], now: datetime
) -> set[str]:
    """Who among `volunteer_ids` of workspace `team_id` has 2+ no-shows in `state` in the last 60 days."""
    if not volunteer_ids:
        return set()
    return set(
        session.exec(
            select(Engagement.volunteer_id).where(
                Engagement.team_id == team_id,
                Engagement.state == state,
                col(Engagement.volunteer_id).in_(volunteer_ids),
                col(Engagement.second_last_no_show_at) >= now - NO_SHOW_WINDOW,
            )
        )
    )


def recent_no_shows(session: Session, *, who: Member, state: str, now: datetime) -> int:
    """How many shifts in `state` that started in the last 60 days the volunteer was marked absent from."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Signup)
            .join(Shift, col(Shift.id) == col(Signup.shift_id))
            .where(
                Signup.team_id == who.team_id,
                Signup.volunteer_id == who.user_id,
                Signup.status == SignupStatus.NO_SHOW,
                Shift.state == state,
                col(Shift.starts_at) >= now - NO_SHOW_WINDOW,
            )
        ).one()
    )


# ---------------------------------------------------------------- /turnout people


class Segment(StrEnum):
    """`/turnout people STATE SEGMENT`: who a coordinator should reach out to, and why."""

    NEW = "new"  # signed up, never attended: welcome them
    READY = "ready"  # regulars who have never hosted: ask them to host
    LAPSED = "lapsed"  # attended before, nothing in 30 days: win them back
    HOSTS = "hosts"  # hosts and trusted hosts
    NOSHOWS = "noshows"  # 2+ no-shows in 60 days


@dataclass(frozen=True)
class Person:
    """One row of `/turnout people`."""

    user_id: str
    name: str
    rung: Rung
    attended: int
    hosted: int
    last_shift_id: int | None
    last_attended_at: datetime | None
    first_signup_at: datetime | None
    contacts: int
    flagged: bool


@dataclass(frozen=True)
class PeoplePage:
    """One page of a segment: `people` start at position `offset` of `total`."""

    state: str
    segment: Segment
    timezone: str
    people: list[Person]
    offset: int
    total: int


@dataclass(frozen=True)
class PeopleOverview:
    """`/turnout people STATE` with no segment: how many people each segment holds."""

    state: str
    counts: dict[Segment, int]


def people_overview(session: Session, *, actor: Actor, state: str, now: datetime) -> PeopleOverview:
    """Coordinators see how many people each segment of their state holds."""
    require_coordinator(session, actor=actor, state=state, doing=N_("see {state}'s people"))
    counts = {segment: _count(session, actor.team_id, state, segment, now) for segment in Segment}
    return PeopleOverview(state, counts)


def people_page(
    session: Session,
    *,
    actor: Actor,
    state: str,
    segment: Segment,
    now: datetime,
    offset: int = 0,
    limit: int = PEOPLE_PAGE,
) -> PeoplePage:
    """Coordinators see one page of a segment of their state's volunteers, each with their
    rung, last shift, shifts attended and contacts; an offset past the end shows the last page."""
    require_coordinator(session, actor=actor, state=state, doing=N_("see {state}'s people"))
    team = actor.team_id
    tz = state_timezone(session, team_id=team, code=state)
    if segment == Segment.HOSTS:
        return _hosts_page(session, team, state, tz, now, offset, limit)
    where, order = _segment(team, state, segment, now)
    total = _count(session, team, state, segment, now)
    offset = max(0, min(offset, (total - 1) // limit * limit)) if total else 0
    rows = list(
        session.exec(select(Engagement).where(*where).order_by(*order).offset(offset).limit(limit)).all()
    )
    return PeoplePage(state, segment, tz, _people(session, team, state, rows, now, segment), offset, total)


def _not_trusted(team: str, state: str) -> Any:
    return col(Engagement.volunteer_id).not_in(_trusted(team, state))


def _segment(team: str, state: str, segment: Segment, now: datetime) -> tuple[list[Any], list[Any]]:
    """(conditions, order) of a segment: each one range of one index, read newest first."""
    e = Engagement
    newest = col(e.volunteer_id).desc()
    if segment == Segment.READY:
        return (
            [
                e.team_id == team,
                e.state == state,
                e.hosted == 0,
                col(e.third_last_attended_at) >= now - REGULAR_WINDOW,
                _not_trusted(team, state),
            ],
            [col(e.third_last_attended_at).desc(), newest],
        )
    if segment == Segment.NEW:
        return (
            [e.team_id == team, e.state == state, e.attended == 0, e.hosted == 0, _not_trusted(team, state)],
            [col(e.first_signup_at).desc(), newest],
        )
    if segment == Segment.LAPSED:
        return (
            [
                e.team_id == team,
                e.state == state,
                col(e.last_attended_at) < now - LAPSED_AFTER,
                e.hosted == 0,
                _not_trusted(team, state),
            ],
            [col(e.last_attended_at).desc(), newest],
        )
    assert segment == Segment.NOSHOWS
    return (
        [e.team_id == team, e.state == state, col(e.second_last_no_show_at) >= now - NO_SHOW_WINDOW],
        [col(e.second_last_no_show_at).desc(), newest],
    )


def _count(session: Session, team: str, state: str, segment: Segment, now: datetime) -> int:
    if segment == Segment.HOSTS:
        where = _hosts(team, state)
        rows = session.exec(select(func.count()).select_from(Engagement).where(*where)).one()
        return int(rows) + len(_trusted_without_row(session, team, state))
    where, _ = _segment(team, state, segment, now)
    return int(session.exec(select(func.count()).select_from(Engagement).where(*where)).one())


def _trusted(team: str, state: str) -> Any:
    return select(TrustedHost.user_id).where(TrustedHost.team_id == team, TrustedHost.state == state)


def _hosts(team: str, state: str) -> list[Any]:
    """Who hosts (a range of the ready index) and the trusted hosts: a few people, by id."""
    hosting = select(Engagement.volunteer_id).where(
        Engagement.team_id == team, Engagement.state == state, col(Engagement.hosted) > 0
    )
    return [
        Engagement.team_id == team,
        Engagement.state == state,
        col(Engagement.volunteer_id).in_(sa.union(hosting, _trusted(team, state))),
    ]


def _trusted_without_row(session: Session, team: str, state: str) -> list[str]:
    """Trusted hosts who have not signed up for anything yet (so have no row)."""
    with_row = sa.exists().where(
        col(Engagement.team_id) == col(TrustedHost.team_id),
        col(Engagement.volunteer_id) == col(TrustedHost.user_id),
        col(Engagement.state) == col(TrustedHost.state),
    )
    return sorted(
        session.exec(
            select(TrustedHost.user_id).where(
                TrustedHost.team_id == team, TrustedHost.state == state, ~with_row
            )
        )
    )


def _hosts_page(
    session: Session, team: str, state: str, tz: str, now: datetime, offset: int, limit: int
) -> PeoplePage:
    """Trusted hosts first, then by shifts hosted, then by id; trusted hosts yet to sign up last."""
    where = _hosts(team, state)
    trusted_first = sa.case((col(Engagement.volunteer_id).in_(_trusted(team, state)), 0), else_=1)
    with_rows = int(session.exec(select(func.count()).select_from(Engagement).where(*where)).one())
    missing = _trusted_without_row(session, team, state)
    total = with_rows + len(missing)
    offset = max(0, min(offset, (total - 1) // limit * limit)) if total else 0
    rows = list(
        session.exec(
            select(Engagement)
            .where(*where)
            .order_by(trusted_first, col(Engagement.hosted).desc(), col(Engagement.volunteer_id))
            .offset(offset)
            .limit(limit)
        ).all()
    )
    rest = missing[max(0, offset - with_rows) : max(0, offset - with_rows) + limit - len(rows)]
    people = _people(session, team, state, rows, now, Segment.HOSTS, rest)
    return PeoplePage(state, Segment.HOSTS, tz, people, offset, total)


def _people(
    session: Session,
    team: str,
    state: str,
    rows: list[Engagement],
    now: datetime,
    segment: Segment,
    missing: list[str] | None = None,
) -> list[Person]:
    """The rows as people; `missing`: people with no row (trusted hosts yet to sign up)."""
    ids = [row.volunteer_id for row in rows] + (missing or [])
    if not ids:
        return []
    names = display_names(session, team_id=team, user_ids=ids)
    # Read by the volunteers' own key (every state), and the state picked here: a condition on the
    # state would tempt the planner into the weekly board's index, which holds the whole state.
    contacts = {
        volunteer: total
        for volunteer, where, total in session.exec(
            select(ContactWeek.volunteer_id, ContactWeek.state, func.sum(ContactWeek.contacts))
            .where(ContactWeek.team_id == team, col(ContactWeek.volunteer_id).in_(ids))
            .group_by(col(ContactWeek.volunteer_id), col(ContactWeek.state))
        ).all()
        if where == state
    }
    trusted: set[str] = (
        set()  # the segments that leave trusted hosts out need not ask
        if segment in (Segment.READY, Segment.NEW, Segment.LAPSED)
        else set(
            session.exec(
                select(TrustedHost.user_id).where(
                    TrustedHost.team_id == team, TrustedHost.state == state, col(TrustedHost.user_id).in_(ids)
                )
            )
        )
    )
    return [
        Person(
            user_id=row.volunteer_id,
            name=names.get(row.volunteer_id, row.volunteer_id),
            rung=rung_of(row, trusted=row.volunteer_id in trusted, now=now),
            attended=row.attended,
            hosted=row.hosted,
            last_shift_id=row.last_shift_id,
            last_attended_at=row.last_attended_at,
            first_signup_at=row.first_signup_at,
            contacts=int(contacts.get(row.volunteer_id) or 0),
            flagged=flagged_for_no_shows(row, now),
        )
        for row in rows
    ] + [
        Person(user_id, names.get(user_id, user_id), Rung.TRUSTED, 0, 0, None, None, None, 0, False)
        for user_id in missing or []
    ]


# ---------------------------------------------------------------- the evening post's cheers


@dataclass(frozen=True)
class StepUp:
    """Someone who reached a rung not celebrated before. `first_ever`: their first shift in any
    state (for *active*); `kind`: the kind of the first shift they hosted (for *host*)."""

    user_id: str
    rung: Rung
    first_ever: bool = False
    kind: ShiftKind | None = None


def celebrate_step_ups(
    session: Session, *, team_id: str, state: str, day: date, now: datetime
) -> list[StepUp]:
    """Who in `state` stepped up a rung that no evening post has cheered yet, as `day`'s post
    cheers them; each is marked, so no later post cheers the same rung again (a rung lost and
    regained is not news), and that day's post drawn again cheers the same people.

    *Host* is cheered once the first shift they host has ended ("hosted their first canvass");
    someone who climbs two rungs between posts is cheered for the higher one."""
    e = Engagement
    trusted = set(session.exec(_trusted(team_id, state)))

    def below(*rungs: Rung) -> Any:
        return sa.or_(col(e.celebrated_rung).is_(None), col(e.celebrated_rung).in_(rungs))

    maybe = sa.or_(
        col(e.celebrated_on) == day,
        sa.and_(col(e.attended) > 0, col(e.celebrated_rung).is_(None)),
        sa.and_(col(e.third_last_attended_at) >= now - REGULAR_WINDOW, below(Rung.NEW, Rung.ACTIVE)),
        sa.and_(col(e.hosted) > 0, below(Rung.NEW, Rung.ACTIVE, Rung.REGULAR)),
        sa.and_(
            col(e.volunteer_id).in_(trusted), col(e.celebrated_rung).is_distinct_from(Rung.TRUSTED.value)
        ),
    )
    rows = list(
        session.exec(
            select(e).where(e.team_id == team_id, e.state == state, maybe).order_by(col(e.volunteer_id))
        ).all()
    )
    hosts = [r.volunteer_id for r in rows if r.hosted > 0]
    hosted_first = _first_hosted_kinds(session, team_id, state, hosts, now)
    cheered: list[tuple[Engagement, Rung]] = []
    for row in rows:
        reached = _celebrated_rung(row, row.volunteer_id in trusted, row.volunteer_id in hosted_first, now)
        if rung_rank(reached) > max(rung_rank(row.celebrated_rung), rung_rank(Rung.NEW)):
            row.celebrated_rung, row.celebrated_on = reached.value, day
            session.add(row)
            cheered.append((row, reached))
        elif row.celebrated_on == day and row.celebrated_rung in RUNG_ORDER:
            cheered.append((row, Rung(row.celebrated_rung)))
    session.flush()
    newcomers = [row.volunteer_id for row, rung in cheered if rung == Rung.ACTIVE]
    elsewhere = _attended_elsewhere(session, team_id, state, newcomers)
    return [
        StepUp(
            row.volunteer_id,
            rung,
            first_ever=rung == Rung.ACTIVE and row.volunteer_id not in elsewhere,
            kind=hosted_first.get(row.volunteer_id) if rung == Rung.HOST else None,
        )
        for row, rung in cheered
    ]


def _celebrated_rung(row: Engagement, trusted: bool, hosted_one: bool, now: datetime) -> Rung:
    """The rung to cheer: the rung they stand on, except that hosting counts once a hosted
    shift has taken place."""
    if trusted:
        return Rung.TRUSTED
    if hosted_one:
        return Rung.HOST
    if is_regular(row, now):
        return Rung.REGULAR
    return Rung.ACTIVE if row.attended > 0 else Rung.NEW


def _first_hosted_kinds(
    session: Session, team: str, state: str, host_ids: list[str], now: datetime
) -> dict[str, ShiftKind]:
    """For each host, the kind of the first published shift they hosted that has ended."""
    if not host_ids:
        return {}
    rows = session.exec(
        select(Shift.host_id, Shift.kind)
        .where(
            Shift.team_id == team,
            col(Shift.host_id).in_(host_ids),
            Shift.state == state,
            Shift.status == ShiftStatus.OPEN,
            col(Shift.ends_at) <= now,
        )
        .order_by(col(Shift.starts_at).desc())
    ).all()
    return {host: ShiftKind(kind) for host, kind in rows if host is not None}  # the earliest one wins


def _attended_elsewhere(session: Session, team: str, state: str, volunteer_ids: list[str]) -> set[str]:
    if not volunteer_ids:
        return set()
    return set(
        session.exec(
            select(Engagement.volunteer_id).where(
                Engagement.team_id == team,
                col(Engagement.volunteer_id).in_(volunteer_ids),
                Engagement.state != state,
                Engagement.attended > 0,
            )
        )
    )
