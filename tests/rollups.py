"""The organizations' rollups as they are stored, and as the contact log says they should be."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

METRICS = ("doors", "calls", "texts", "convos", "supporters")
Key = tuple[str, date]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def recomputed(connection: sa.Connection) -> tuple[dict[Key, tuple[int, ...]], dict[Key, tuple[int, ...]]]:
    """Each organization's days and weeks from `contactlog`: (metrics…, logs, active) per day and
    (metrics…, contacts, logs, active) per week, active being the distinct volunteers."""
    days: dict[Key, list[int]] = defaultdict(lambda: [0] * 6)
    weeks: dict[Key, list[int]] = defaultdict(lambda: [0] * 7)
    day_people: dict[Key, set[str]] = defaultdict(set)
    week_people: dict[Key, set[str]] = defaultdict(set)
    rows = connection.execute(
        sa.text(f"SELECT team_id, volunteer_id, local_date, {', '.join(METRICS)} FROM contactlog")
    ).all()
    for team, volunteer, raw_day, *counts in rows:
        day = _day(raw_day)
        monday = day - timedelta(days=day.weekday())
        for i, n in enumerate(counts):
            days[team, day][i] += n
            weeks[team, monday][i] += n
        weeks[team, monday][5] += sum(counts)
        days[team, day][5] += 1
        weeks[team, monday][6] += 1
        day_people[team, day].add(volunteer)
        week_people[team, monday].add(volunteer)
    return (
        {key: (*v, len(day_people[key])) for key, v in days.items()},
        {key: (*v, len(week_people[key])) for key, v in weeks.items()},
    )


def stored(connection: sa.Connection) -> tuple[dict[Key, tuple[int, ...]], dict[Key, tuple[int, ...]]]:
    """`orgday` and `orgweek`, their shards added up, leaving out days and weeks with no logs
    left (an undone log's rows stay, at zero)."""
    sums = ", ".join(f"sum({name})" for name in METRICS)
    days = connection.execute(
        sa.text(
            f"SELECT team_id, local_date, {sums}, sum(logs), sum(active) FROM orgday "
            "GROUP BY team_id, local_date"
        )
    ).all()
    weeks = connection.execute(
        sa.text(
            f"SELECT team_id, week_start, {sums}, sum(contacts), sum(logs), sum(active) FROM orgweek "
            "GROUP BY team_id, week_start"
        )
    ).all()
    found_days = {(t, _day(d)): tuple(int(n) for n in rest) for t, d, *rest in days}
    found_weeks = {(t, _day(w)): tuple(int(n) for n in rest) for t, w, *rest in weeks}
    for values in (*found_days.values(), *found_weeks.values()):
        assert min(values) >= 0, values
    return (
        {k: v for k, v in found_days.items() if any(v)},
        {k: v for k, v in found_weeks.items() if any(v)},
    )
