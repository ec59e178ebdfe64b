"""Local time for a state: instants are stored in UTC and converted only at the edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


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
