"""CSV exports for a state and a range of local dates: contacts, and attendance.

Contacts: one row per volunteer per local day per shift (logs not tied to a shift share a
row with an empty shift id). Attendance: one row per signup on the state's shifts that
started in the range. Columns are listed in the README.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import ContactLog, Shift, ShiftStatus, Signup, Volunteer
from bot.services.clock import local_date, local_day_bounds
from bot.services.errors import Refused
from bot.services.roles import Actor, require_coordinator
from bot.services.states import state_timezone

CONTACT_COLUMNS = (
    "date",
    "state",
    "volunteer",
    "slack_id",
    "email",
    "shift_id",
    "doors",
    "calls",
    "texts",
    "convos",
    "supporters",
    "logs",
)
ATTENDANCE_COLUMNS = (
    "shift_id",
    "kind",
    "start",
    "end",
    "location",
    "volunteer",
    "slack_id",
    "email",
    "status",
)
DEFAULT_DAYS = 30
MAX_DAYS = 731


@dataclass(frozen=True)
class Export:
    state: str
    first: date
    last: date
    contacts_csv: str
    attendance_csv: str
    contact_rows: int
    attendance_rows: int


def export_state(
    session: Session, *, actor: Actor, state: str, first: date | None, last: date | None, now: datetime
) -> Export:
    """Coordinators export their own state's contacts and attendance (default: the last 30 days):
    their own organization's volunteers and shifts only."""
    require_coordinator(session, actor=actor, state=state, doing=N_("export {state}'s data"))
    team = actor.team_id
    tz = state_timezone(session, team_id=team, code=state)
    last = last or local_date(now, tz)
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Refused(
            N_("The range starts ({first}) after it ends ({last})."), first=str(first), last=str(last)
        )
    if (last - first).days >= MAX_DAYS:
        raise Refused(N_("Export at most {days} days at a time."), days=MAX_DAYS)
    contacts = _contacts(session, team, state, first, last)
    attendance = _attendance(session, team, state, first, last, tz)
    return Export(
        state,
        first,
        last,
        _csv(CONTACT_COLUMNS, contacts),
        _csv(ATTENDANCE_COLUMNS, attendance),
        len(contacts),
        len(attendance),
    )


def _contacts(session: Session, team: str, state: str, first: date, last: date) -> list[tuple[object, ...]]:
    rows = session.execute(
        sa_select(
            col(ContactLog.local_date),
            col(ContactLog.volunteer_id),
            col(ContactLog.shift_id),
            func.sum(ContactLog.doors),
            func.sum(ContactLog.calls),
            func.sum(ContactLog.texts),
            func.sum(ContactLog.convos),
            func.sum(ContactLog.supporters),
            func.count(),
        )
        .where(
            col(ContactLog.team_id) == team,
            col(ContactLog.state) == state,
            col(ContactLog.local_date).between(first, last),
        )
        .group_by(col(ContactLog.local_date), col(ContactLog.volunteer_id), col(ContactLog.shift_id))
        .order_by(col(ContactLog.local_date), col(ContactLog.volunteer_id), col(ContactLog.shift_id))
    ).all()
    people = _people(session, team, {r[1] for r in rows})
    return [
        (day.isoformat(), state, people[vid][0], vid, people[vid][1], shift_id or "", *sums)
        for day, vid, shift_id, *sums in rows
    ]


def _attendance(
    session: Session, team: str, state: str, first: date, last: date, tz: str
) -> list[tuple[object, ...]]:
    start, _ = local_day_bounds(first, tz)
    _, end = local_day_bounds(last, tz)
    rows = session.exec(
        select(Shift, Signup)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.team_id == team,
            Shift.state == state,
            col(Shift.starts_at) >= start,
            col(Shift.starts_at) < end,
        )
        .order_by(col(Shift.starts_at), col(Shift.id), col(Signup.id))
    ).all()
    people = _people(session, team, {signup.volunteer_id for _, signup in rows})
    return [
        (
            shift.id,
            shift.kind,
            _local(shift.starts_at, tz),
            _local(shift.ends_at, tz),
            shift.location,
            people[signup.volunteer_id][0],
            signup.volunteer_id,
            people[signup.volunteer_id][1],
            "cancelled shift" if shift.status == ShiftStatus.CANCELLED else signup.status,
        )
        for shift, signup in rows
    ]


def _people(session: Session, team: str, ids: set[str]) -> dict[str, tuple[str, str]]:
    found = {
        vid: (display or real or vid, email or "")
        for vid, display, real, email in session.exec(
            select(Volunteer.id, Volunteer.display_name, Volunteer.real_name, Volunteer.email).where(
                col(Volunteer.team_id) == team, col(Volunteer.id).in_(ids)
            )
        )
    }
    return {vid: found.get(vid, (vid, "")) for vid in ids}


def _local(instant: datetime, tz: str) -> str:
    from zoneinfo import ZoneInfo

    return instant.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes")


def _csv(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _cell(value: object) -> object:
    """Guard spreadsheet apps against formulas in text people typed (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
