"""Contact logs and their rollups.

Counts only, never voter details. Each log is written in one transaction with three
rollups: the volunteer's day (`ContactDay`), the state's day (`StateDay`) and the
volunteer's week (`ContactWeek`). Stats, goals and leaderboards read the rollups, so its cost follows the
days and people asked about, not the size of history. Local days are the state's; weeks
run Monday to Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot.i18n import N_
from bot.models import (
    HOLDING,
    ContactDay,
    ContactLog,
    ContactWeek,
    Metric,
    Shift,
    Signup,
    SignupStatus,
    StateDay,
    Volunteer,
)
from bot.services.clock import local_date, week_start
from bot.services.counts import METRICS, Counts
from bot.services.errors import NotFound, Refused
from bot.services.goals import goals_for
from bot.services.states import state_for_channel, state_timezone
from bot.services.stats import Progress, state_progress

UNDO_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class LogResult:
    state: str
    day: date
    recorded: Counts
    shift_id: int | None
    mine_today: Counts
    progress: Progress
    already: bool = False


@dataclass(frozen=True)
class UndoResult:
    state: str
    day: date
    removed: Counts
    mine_today: Counts


# ---------------------------------------------------------------- logging


def log_contacts(
    session: Session,
    *,
    user_id: str,
    counts: dict[Metric, int],
    shift_id: int | None,
    channel_id: str | None,
    now: datetime,
    source_key: str | None = None,
) -> LogResult:
    """Record counts for the shift's state, else the channel's, else the volunteer's home state."""
    if source_key:
        existing = session.exec(select(ContactLog).where(ContactLog.source_key == source_key)).first()
        if existing is not None:
            return _result(session, existing, already=True)
    if not any(counts.values()):
        raise Refused(N_("Log at least one count, like `/log 40 doors`."))
    state = _log_state(session, user_id=user_id, shift_id=shift_id, channel_id=channel_id, now=now)
    day = local_date(now, state_timezone(session, state))
    recorded = Counts.of(counts)
    goals = goals_for(session, state, day)
    statements = _statements(session)
    session.execute(
        statements.log,
        {
            "volunteer_id": user_id,
            "state": state,
            "shift_id": shift_id,
            "local_date": day,
            "logged_at": now,
            "source_key": source_key,
            **{m.value: recorded.get(m) for m in METRICS},
        },
    )
    mine, totals, active = _roll_up(session, user_id, state, day, recorded, logs=1)
    return LogResult(state, day, recorded, shift_id, mine, Progress(state, day, totals, goals, active))


def undo_last_log(session: Session, *, user_id: str, now: datetime) -> UndoResult:
    """Remove the caller's own most recent log, if it is less than a day old."""
    log = session.exec(
        select(ContactLog)
        .where(ContactLog.volunteer_id == user_id, col(ContactLog.logged_at) > now - UNDO_WINDOW)
        .order_by(col(ContactLog.logged_at).desc(), col(ContactLog.id).desc())
        .limit(1)
        .with_for_update()
    ).first()
    if log is None:
        raise NotFound(N_("You have no log from the last 24 hours to undo."))
    removed = Counts.of_row(log)
    session.delete(log)
    session.flush()
    mine, _totals, _active = _roll_up(session, user_id, log.state, log.local_date, removed, logs=-1, sign=-1)
    return UndoResult(log.state, log.local_date, removed, mine)


def recent_shifts(session: Session, *, user_id: str, now: datetime) -> list[tuple[int, str, datetime]]:
    """(id, state, start) of the last week's shifts the volunteer can log for: started, or within the hour."""
    rows = session.exec(
        select(Shift.id, Shift.state, Shift.starts_at)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.volunteer_id == user_id,
            col(Signup.status).in_(_LOGGABLE),
            col(Shift.starts_at) > now - timedelta(days=7),
            col(Shift.starts_at) <= now + timedelta(hours=1),
        )
        .order_by(col(Shift.starts_at).desc())
        .limit(20)
    ).all()
    return [(int(i or 0), s, t) for i, s, t in rows]


_LOGGABLE = (*[s for s in HOLDING if s != SignupStatus.NO_SHOW],)


def _log_state(
    session: Session, *, user_id: str, shift_id: int | None, channel_id: str | None, now: datetime
) -> str:
    if shift_id is not None:
        shift = session.get(Shift, shift_id)
        if shift is None:
            raise NotFound(N_("There is no shift #{shift}."), shift=shift_id)
        signup = session.exec(
            select(Signup).where(Signup.shift_id == shift_id, Signup.volunteer_id == user_id)
        ).first()
        if signup is None or signup.status not in _LOGGABLE:
            raise Refused(
                N_("You weren't on shift #{shift}, so you can't log for it. Leave out `for {shift}`."),
                shift=shift_id,
            )
        if shift.starts_at > now + timedelta(hours=1):
            raise Refused(
                N_("Shift #{shift} hasn't started yet; log for it once you're out there."), shift=shift_id
            )
        return shift.state
    bound = state_for_channel(session, channel_id) if channel_id else None
    if bound:
        return bound
    volunteer = session.get(Volunteer, user_id)
    if volunteer is None or not volunteer.home_state:
        raise Refused(
            N_(
                "Which state do these count for? Set your home state first with `/turnout home ST` "
                "(e.g. `/turnout home IA`), or log in your state's channel."
            )
        )
    return volunteer.home_state


def _roll_up(
    session: Session, user_id: str, state: str, day: date, counts: Counts, *, logs: int, sign: int = 1
) -> tuple[Counts, Counts, int]:
    """Add (or, for an undo, take away) a log's counts from every rollup, atomically: the
    volunteer's day, the volunteer's week, and last the state's day (and its count of active
    volunteers). Returns the volunteer's day, the state's day and its active count afterwards.

    Every log in a state updates the same state-day row, and its row lock is held until commit,
    so that upsert is the transaction's last statement: nothing else waits behind it."""
    statements = _statements(session)
    deltas = {m.value: sign * counts.get(m) for m in METRICS}
    key = {"volunteer_id": user_id, "state": state}
    mine = session.execute(statements.contact_day, {**key, "local_date": day, **deltas, "logs": logs}).one()
    week = {**key, "week_start": week_start(day)}
    session.execute(
        statements.contact_week, {**week, **deltas, "contacts": sign * counts.contacts, "logs": logs}
    )
    if logs < 0:
        session.execute(statements.drop_contact_day, {**key, "local_date": day})
        session.execute(statements.drop_contact_week, week)
    # The volunteer's first log of the day makes them active; undoing their last one, inactive.
    active = 1 if logs > 0 and mine.logs == 1 else -1 if logs < 0 and mine.logs == 0 else 0
    totals = session.execute(
        statements.state_day,
        {"state": state, "local_date": day, **deltas, "logs": logs, "active": active},
    ).one()
    return _counts(mine), _counts(totals), int(totals.active)


def _counts(row: sa.Row[Any]) -> Counts:
    return Counts(*(int(getattr(row, m.value)) for m in METRICS))


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
    return table


@dataclass(frozen=True)
class _Statements:
    """The logging statements, built once per dialect with bound parameters, so SQLAlchemy
    compiles each once and every log after that is served from its compiled cache."""

    log: sa.Insert
    contact_day: sa.Insert
    contact_week: sa.Insert
    state_day: sa.Insert
    drop_contact_day: sa.Delete
    drop_contact_week: sa.Delete


def _upsert_statement(
    insert: Any, model: type[SQLModel], key: tuple[str, ...], deltas: tuple[str, ...]
) -> Any:
    """INSERT the row, or add the deltas to it (ON CONFLICT DO UPDATE), returning its counts."""
    table = _table(model)
    statement = insert(table).values({name: sa.bindparam(name) for name in (*key, *deltas)})
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in deltas}
    )
    return statement.returning(*(table.c[name] for name in deltas))


def _drop_statement(model: type[SQLModel], key: tuple[str, ...]) -> sa.Delete:
    table = _table(model)
    return sa.delete(table).where(*(table.c[name] == sa.bindparam(name) for name in key), table.c.logs <= 0)


def _build_statements(insert: Any) -> _Statements:
    metrics = tuple(m.value for m in METRICS)
    day_key = ("volunteer_id", "state", "local_date")
    week_key = ("volunteer_id", "state", "week_start")
    log_columns = ("volunteer_id", "state", "shift_id", "local_date", "logged_at", "source_key", *metrics)
    return _Statements(
        log=sa.insert(_table(ContactLog)).values({name: sa.bindparam(name) for name in log_columns}),
        contact_day=_upsert_statement(insert, ContactDay, day_key, (*metrics, "logs")),
        contact_week=_upsert_statement(insert, ContactWeek, week_key, (*metrics, "contacts", "logs")),
        state_day=_upsert_statement(insert, StateDay, ("state", "local_date"), (*metrics, "logs", "active")),
        drop_contact_day=_drop_statement(ContactDay, day_key),
        drop_contact_week=_drop_statement(ContactWeek, week_key),
    )


_STATEMENTS = {"sqlite": _build_statements(sqlite_insert), "postgresql": _build_statements(pg_insert)}


def _statements(session: Session) -> _Statements:
    return _STATEMENTS[session.get_bind().dialect.name]


def _result(session: Session, log: ContactLog, *, already: bool) -> LogResult:
    return LogResult(
        state=log.state,
        day=log.local_date,
        recorded=Counts.of_row(log),
        shift_id=log.shift_id,
        mine_today=_mine(session, log.volunteer_id, log.state, log.local_date),
        progress=state_progress(session, log.state, log.local_date),
        already=already,
    )


def _mine(session: Session, user_id: str, state: str, day: date) -> Counts:
    row = session.get(ContactDay, (user_id, state, day), populate_existing=True)
    return Counts.of_row(row)


# ---------------------------------------------------------------- goals


# ---------------------------------------------------------------- stats
