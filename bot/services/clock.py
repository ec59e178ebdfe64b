"""Local time for a state: instants are stored in UTC and converted only at the edges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(instant: datetime, tz: str) -> date:
    return instant.astimezone(ZoneInfo(tz)).date()


def local_instant(day: date, at: time, tz: str) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `tz` (the earlier one when a DST change repeats it)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local day in UTC; 23 or 25 hours long on DST changes."""
    return local_instant(day, time(0), tz), local_instant(day + timedelta(days=1), time(0), tz)


def wall_time_exists(day: date, at: time, tz: str) -> bool:
    """False for a time skipped by a spring-forward change (e.g. 02:30 in March)."""
    aware = datetime.combine(day, at, tzinfo=ZoneInfo(tz))
    round_trip = aware.astimezone(UTC).astimezone(ZoneInfo(tz))
    return round_trip.replace(tzinfo=None) == aware.replace(tzinfo=None)


@dataclass(frozen=True)
class DateWindow:
    """Local dates [first, last] inclusive; `label` is how the filter was typed."""

    first: date
    last: date
    label: str


def window_for(when: str, today: date) -> DateWindow:
    """The local dates a `parse_when` result covers, counted from `today`."""
    if when == "today":
        return DateWindow(today, today, when)
    if when == "tomorrow":
        return DateWindow(today + timedelta(days=1), today + timedelta(days=1), when)
    if when == "week":
        return DateWindow(today, today + timedelta(days=6), when)
    day = date.fromisoformat(when)
    return DateWindow(day, day, when)


def week_start(day: date) -> date:
    """The Monday of `day`'s week: weeks run Monday to Sunday."""
    return day - timedelta(days=day.weekday())
