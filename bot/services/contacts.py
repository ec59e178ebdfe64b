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

import sqlalchemy as sa
from sqlalchemy import delete
from sqlmodel import Session, SQLModel, col, select

from bot.db import insert_for
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
        raise Refused("Log at least one count, like `/log 40 doors`.")
    state = _log_state(session, user_id=user_id, shift_id=shift_id, channel_id=channel_id, now=now)
    day = local_date(now, state_timezone(session, state))
    log = ContactLog(
        volunteer_id=user_id,
        state=state,
        shift_id=shift_id,
        local_date=day,
        logged_at=now,
        source_key=source_key,
        **{m.value: counts.get(m, 0) for m in METRICS},
    )
    session.add(log)
    session.flush()
    _roll_up(session, user_id, state, day, Counts.of(counts), logs=1)
    return _result(session, log, already=False)


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
        raise NotFound("You have no log from the last 24 hours to undo.")
    removed = Counts.of_row(log)
    session.delete(log)
    session.flush()
    _roll_up(session, user_id, log.state, log.local_date, removed, logs=-1, sign=-1)
    return UndoResult(log.state, log.local_date, removed, _mine(session, user_id, log.state, log.local_date))


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
            raise NotFound(f"There is no shift #{shift_id}.")
        signup = session.exec(
            select(Signup).where(Signup.shift_id == shift_id, Signup.volunteer_id == user_id)
        ).first()
        if signup is None or signup.status not in _LOGGABLE:
            raise Refused(
                f"You weren't on shift #{shift_id}, so you can't log for it. Leave out `for {shift_id}`."
            )
        if shift.starts_at > now + timedelta(hours=1):
            raise Refused(f"Shift #{shift_id} hasn't started yet; log for it once you're out there.")
        return shift.state
    bound = state_for_channel(session, channel_id) if channel_id else None
    if bound:
        return bound
    volunteer = session.get(Volunteer, user_id)
    if volunteer is None or not volunteer.home_state:
        raise Refused(
            "Which state do these count for? Set your home state first with `/turnout home ST` "
            "(e.g. `/turnout home IA`), or log in your state's channel."
        )
    return volunteer.home_state


def _roll_up(
    session: Session, user_id: str, state: str, day: date, counts: Counts, *, logs: int, sign: int = 1
) -> None:
    """Add (or, for an undo, take away) a log's counts from every rollup, atomically:
    the volunteer's day, the state's day (and its count of active volunteers), the volunteer's week."""
    values = {m.value: sign * counts.get(m) for m in METRICS}
    day_logs = _upsert(
        session,
        ContactDay,
        {"volunteer_id": user_id, "state": state, "local_date": day},
        {**values, "logs": logs},
    )
    # The volunteer's first log of the day makes them active; undoing their last one, inactive.
    active = 1 if logs > 0 and day_logs == 1 else -1 if logs < 0 and day_logs == 0 else 0
    _upsert(
        session, StateDay, {"state": state, "local_date": day}, {**values, "logs": logs, "active": active}
    )
    week = {"volunteer_id": user_id, "state": state, "week_start": week_start(day)}
    _upsert(session, ContactWeek, week, {**values, "contacts": sign * counts.contacts, "logs": logs})
    if logs < 0:
        for table, key in (
            (_table(ContactDay), {"volunteer_id": user_id, "state": state, "local_date": day}),
            (_table(ContactWeek), week),
        ):
            session.execute(
                delete(table).where(
                    *(table.c[name] == value for name, value in key.items()), table.c.logs <= 0
                )
            )


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
    return table


def _upsert(session: Session, model: type[SQLModel], key: dict[str, object], deltas: dict[str, int]) -> int:
    """Insert the row or add `deltas` to it (ON CONFLICT DO UPDATE); the row's `logs` afterwards."""
    table = _table(model)
    statement = insert_for(session)(table).values(**key, **deltas)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in deltas}
    )
    return int(session.execute(statement.returning(table.c.logs)).scalar_one())


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
