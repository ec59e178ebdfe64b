"""Contact logs and their rollups.

Counts only, never voter details. Each log is written in one transaction with five
rollups: the volunteer's day (`ContactDay`) and week (`ContactWeek`), the state's day
(`StateDay`), and the organization's day (`OrgDay`) and week (`OrgWeek`). Stats, goals and leaderboards read the rollups, so its cost follows the
days and people asked about, not the size of history. Local days are the state's; weeks
run Monday to Sunday.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from bot.db import Prepared, run
from bot.i18n import N_
from bot.models import (
    HOLDING,
    ContactDay,
    ContactLog,
    ContactWeek,
    Goal,
    Metric,
    OrgDay,
    OrgWeek,
    Shift,
    Signup,
    SignupStatus,
    State,
    StateDay,
    Volunteer,
)
from bot.services import sharing
from bot.services.clock import local_date, week_start
from bot.services.counts import METRICS, Counts
from bot.services.errors import NotFound, Refused
from bot.services.goals import day_goals, goal_rows_bearing_on, goals_for
from bot.services.members import Member
from bot.services.people import PROFILE_MAX_AGE, Profile, profile_columns, profile_from
from bot.services.places import PLACES
from bot.services.states import state_timezone
from bot.services.stats import Progress, state_day_totals, state_progress

UNDO_WINDOW = timedelta(hours=24)
# A state's day is kept in this many rows (`StateDay.shard`): every log in a state updates its
# day, and the rows' locks let only one log at a time through each.
STATE_DAY_SHARDS = 8


def state_day_shard(user_id: str) -> int:
    """The row of a state's day a volunteer's logs go to: always the same one (so the day's
    count of active volunteers adds up across rows), whichever process computes it."""
    return zlib.crc32(user_id.encode()) % STATE_DAY_SHARDS


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
class LogPlace:
    """What a `/log` in a channel needs to know before it writes, read in one statement
    (`read_log_place`): who is logging as stored (None: new to Turnout), the state bound to the
    channel and its zone, and the volunteer's home state and its zone."""

    stored: tuple[Profile, datetime] | None
    channel: tuple[str, str] | None
    home: tuple[str, str] | None


def read_log_place(session: Session, *, who: Member, channel_id: str | None) -> LogPlace:
    row = run(
        session, _LOG_PLACE, {"team_id": who.team_id, "user_id": who.user_id, "channel_id": channel_id}
    ).one()
    channel = (
        (row.channel_state, row.channel_zone or PLACES[row.channel_state].timezone)
        if row.channel_state
        else None
    )
    home = (row.home_state, row.home_zone or PLACES[row.home_state].timezone) if row.home_state else None
    return LogPlace(profile_from(who, row), channel, home)


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
    who: Member,
    counts: dict[Metric, int],
    shift_id: int | None,
    channel_id: str | None,
    now: datetime,
    source_key: str | None = None,
    place: LogPlace | None = None,
) -> LogResult:
    """Record counts for the shift's state, else the channel's, else the volunteer's home state
    (`place`, when given, is what `read_log_place` read of them for `channel_id`; else it is
    read here)."""
    if source_key:
        existing = session.exec(select(ContactLog).where(ContactLog.source_key == source_key)).first()
        if existing is not None and existing.team_id == who.team_id:
            return _result(session, existing, already=True)
    _check_counts(counts)
    team_id = who.team_id
    state, zone = _log_state(session, who=who, shift_id=shift_id, channel_id=channel_id, now=now, place=place)
    day = local_date(now, zone or state_timezone(session, team_id=team_id, code=state))
    recorded = Counts.of(counts)
    values = _log_values(who, state, day, recorded, shift_id=shift_id, now=now, source_key=source_key)
    if session.get_bind().dialect.name == "postgresql":
        # One statement: the row of the state's day is locked only while PostgreSQL runs it.
        return _pg_result(run(session, _PG_LOG, values).one(), recorded, shift_id)
    goals = goals_for(session, team_id=team_id, state=state, day=day)
    run(session, _statements(session).log, values)
    mine, totals, active = _roll_up(session, who, state, day, recorded, logs=1)
    return LogResult(state, day, recorded, shift_id, mine, Progress(state, day, totals, goals, active))


def log_in_state_channel(
    session: Session,
    *,
    who: Member,
    counts: dict[Metric, int],
    channel_id: str,
    bound: tuple[str, str],
    now: datetime,
) -> tuple[tuple[Profile, datetime] | None, LogResult] | None:
    """A `/log` in a channel read earlier bound to a state, `bound` (the state and its zone, as
    `read_log_place` gave them), on PostgreSQL: who is logging (their stored profile, and their
    row made if they are new), the log and its rollups in one statement, which writes only if
    the channel is still bound to that state in that zone. The stored profile as it was before
    (None: new to Turnout) and the log; None, with nothing written, on SQLite or when the
    channel's binding has changed (read it afresh: `read_log_place`)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    _check_counts(counts)
    state, zone = bound
    day = local_date(now, zone)
    recorded = Counts.of(counts)
    values = _log_values(who, state, day, recorded, shift_id=None, now=now, source_key=None)
    checks = {"channel_id": channel_id, "channel_zone": zone, "enrolled_at": now - PROFILE_MAX_AGE}
    after = run(session, _PG_LOG_IN_CHANNEL, {**values, **checks}).first()
    if after is None:
        return None
    return profile_from(who, after), _pg_result(after, recorded, None)


def _check_counts(counts: dict[Metric, int]) -> None:
    if not any(counts.values()):
        raise Refused(N_("Log at least one count, like `/log 40 doors`."))


def _log_values(
    who: Member,
    state: str,
    day: date,
    recorded: Counts,
    *,
    shift_id: int | None,
    now: datetime,
    source_key: str | None,
) -> dict[str, Any]:
    """A log's row, and on PostgreSQL what its rollups' statement needs besides."""
    return {
        "team_id": who.team_id,
        "volunteer_id": who.user_id,
        "state": state,
        "shift_id": shift_id,
        "local_date": day,
        "logged_at": now,
        "source_key": source_key,
        **{m.value: recorded.get(m) for m in METRICS},
        "week_start": week_start(day),
        "contacts": recorded.contacts,
        "logs": 1,
        "shard": state_day_shard(who.user_id),
    }


def _pg_result(after: Any, recorded: Counts, shift_id: int | None) -> LogResult:
    """The LogResult in a row of `_build_pg_log`'s statement."""
    state, day = after.log_state, after.log_local_date
    mine = Counts(*(int(getattr(after, f"mine_{m.value}")) for m in METRICS))
    totals = Counts(*(int(getattr(after, f"state_{m.value}")) for m in METRICS))
    goal_rows = (after.goal_metric, after.goal_target, after.goal_local_date, after.goal_starts_on)
    goals = day_goals(zip(*goal_rows, strict=True) if after.goal_metric else (), day)
    progress = Progress(state, day, totals, goals, int(after.state_active))
    return LogResult(state, day, recorded, shift_id, mine, progress)


def undo_last_log(session: Session, *, who: Member, now: datetime) -> UndoResult:
    """Remove the caller's own most recent log, if it is less than a day old."""
    log = session.exec(
        select(ContactLog)
        .where(
            ContactLog.team_id == who.team_id,
            ContactLog.volunteer_id == who.user_id,
            col(ContactLog.logged_at) > now - UNDO_WINDOW,
        )
        .order_by(col(ContactLog.logged_at).desc(), col(ContactLog.id).desc())
        .limit(1)
        .with_for_update()
    ).first()
    if log is None:
        raise NotFound(N_("You have no log from the last 24 hours to undo."))
    removed = Counts.of_row(log)
    session.delete(log)
    session.flush()
    mine, _totals, _active = _roll_up(session, who, log.state, log.local_date, removed, logs=-1, sign=-1)
    return UndoResult(log.state, log.local_date, removed, mine)


def recent_shifts(session: Session, *, who: Member, now: datetime) -> list[tuple[int, str, datetime]]:
    """(id, state, start) of the last week's shifts the volunteer can log for: started, or within the hour."""
    rows = session.exec(
        select(Shift.id, Shift.state, Shift.starts_at)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.team_id == who.team_id,
            Signup.volunteer_id == who.user_id,
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
    session: Session,
    *,
    who: Member,
    shift_id: int | None,
    channel_id: str | None,
    now: datetime,
    place: LogPlace | None,
) -> tuple[str, str | None]:
    """The state a log counts for, and its zone when the same read gave it (all but a shift's)."""
    if shift_id is not None:
        shift = session.get(Shift, shift_id)
        if shift is None or not sharing.is_visible(session, team_id=who.team_id, shift=shift):
            raise NotFound(N_("There is no shift #{shift}."), shift=shift_id)
        signup = session.exec(
            select(Signup).where(
                Signup.shift_id == shift_id, Signup.team_id == who.team_id, Signup.volunteer_id == who.user_id
            )
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
        return shift.state, None
    if place is None:
        place = read_log_place(session, who=who, channel_id=channel_id)
    if place.channel:
        return place.channel
    if place.home is None:
        raise Refused(
            N_(
                "Which state do these count for? Set your home state first with `/turnout home ST` "
                "(e.g. `/turnout home IA`), or log in your state's channel."
            )
        )
    return place.home


def _roll_up(
    session: Session, who: Member, state: str, day: date, counts: Counts, *, logs: int, sign: int = 1
) -> tuple[Counts, Counts, int]:
    """Add (or, for an undo, take away) a log's counts from every rollup, atomically: the
    volunteer's day, the volunteer's week, and last the state's day (and its count of active
    volunteers). Returns the volunteer's day, the state's day and its active count afterwards.

    Every log in a state updates one of its day's few rows (the volunteer's shard), and that
    row's lock is held until commit, so that upsert is the transaction's last statement:
    nothing else waits behind it. (On PostgreSQL a log is one statement instead: `_PG_LOG`.)"""
    statements = _statements(session)
    deltas = {m.value: sign * counts.get(m) for m in METRICS}
    key = {"team_id": who.team_id, "volunteer_id": who.user_id, "state": state}
    mine = run(session, statements.contact_day, {**key, "local_date": day, **deltas, "logs": logs}).one()
    monday = week_start(day)
    week = {**key, "week_start": monday}
    mine_week = run(
        session, statements.contact_week, {**week, **deltas, "contacts": sign * counts.contacts, "logs": logs}
    ).one()
    if logs < 0:
        run(session, statements.drop_contact_day, {**key, "local_date": day})
        run(session, statements.drop_contact_week, week)
    # The volunteer's first log of the day makes them active; undoing their last one, inactive.
    active = 1 if logs > 0 and mine.logs == 1 else -1 if logs < 0 and mine.logs == 0 else 0
    shard = state_day_shard(who.user_id)
    others, others_active = state_day_totals(
        session, team_id=who.team_id, state=state, day=day, leaving_out=shard
    )
    row = run(
        session,
        statements.state_day,
        {
            "team_id": who.team_id,
            "state": state,
            "local_date": day,
            "shard": shard,
            **deltas,
            "logs": logs,
            "active": active,
        },
    ).one()
    # In the organization, the volunteer's first log of the day (week) in any state makes them
    # active; undoing their last one in every state, inactive. Whether they have rows in another
    # state is read by the upsert itself, and only then (`_org_upsert`).
    org = {**key, "shard": shard, **deltas, "logs": logs}
    run(session, statements.org_day, {**org, "local_date": day, **_org_change(mine.logs, logs)})
    run(
        session,
        statements.org_week,
        {
            **org,
            "week_start": monday,
            "contacts": sign * counts.contacts,
            **_org_change(mine_week.logs, logs),
        },
    )
    totals = Counts(*(others.get(m) + int(getattr(row, m.value)) for m in METRICS))
    return _counts(mine), totals, others_active + int(row.active)


def _org_change(logs_after: int, logs: int) -> dict[str, int]:
    """The organization's active count changes by `change` (+1, -1) when this was the
    volunteer's first log of the day (week) in its state, or an undo took their last one there,
    and they have none in another state (which the upsert reads, only when `change` is not 0)."""
    first = logs > 0 and logs_after == 1
    last = logs < 0 and logs_after <= 0
    return {"change": 1 if first else -1 if last else 0}


def _counts(row: Any) -> Counts:
    return Counts(*(int(getattr(row, m.value)) for m in METRICS))


def _table(model: type[SQLModel]) -> sa.Table:
    table: sa.Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table models
    return table


@dataclass(frozen=True)
class _Statements:
    """The logging statements, built once per dialect with bound parameters, so SQLAlchemy
    compiles each once and every log after that is served from its compiled cache."""

    log: Prepared
    contact_day: Prepared
    contact_week: Prepared
    state_day: Prepared
    drop_contact_day: Prepared
    drop_contact_week: Prepared
    org_day: Prepared
    org_week: Prepared


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


_LOG_COLUMNS = (
    "team_id",
    "volunteer_id",
    "state",
    "shift_id",
    "local_date",
    "logged_at",
    "source_key",
    *(m.value for m in METRICS),
)


def _log_statement() -> sa.Insert:
    return sa.insert(_table(ContactLog)).values({name: sa.bindparam(name) for name in _LOG_COLUMNS})


def _build_statements(insert: Any) -> _Statements:
    metrics = tuple(m.value for m in METRICS)
    day_key = ("team_id", "volunteer_id", "state", "local_date")
    week_key = ("team_id", "volunteer_id", "state", "week_start")
    return _Statements(
        log=Prepared(_log_statement()),
        contact_day=Prepared(_upsert_statement(insert, ContactDay, day_key, (*metrics, "logs"))),
        contact_week=Prepared(
            _upsert_statement(insert, ContactWeek, week_key, (*metrics, "contacts", "logs"))
        ),
        state_day=Prepared(
            _upsert_statement(
                insert, StateDay, ("team_id", "state", "local_date", "shard"), (*metrics, "logs", "active")
            )
        ),
        drop_contact_day=Prepared(_drop_statement(ContactDay, day_key)),
        drop_contact_week=Prepared(_drop_statement(ContactWeek, week_key)),
        org_day=Prepared(
            _org_upsert(
                insert,
                OrgDay,
                ("team_id", "local_date", "shard"),
                (*metrics, "logs"),
                _other_states(ContactDay, "local_date", bind="local_date"),
            )
        ),
        org_week=Prepared(
            _org_upsert(
                insert,
                OrgWeek,
                ("team_id", "week_start", "shard"),
                (*metrics, "contacts", "logs"),
                _other_states(ContactWeek, "week_start", bind="week_start"),
            )
        ),
    )


def _org_upsert(
    insert: Any,
    model: type[SQLModel],
    key: tuple[str, ...],
    deltas: tuple[str, ...],
    other_states: sa.Select[Any],
) -> Any:
    """The organization's row for the day (week) of a log or an undo: its deltas added, and its
    active count changed by `change` unless the volunteer has rows in another state that day
    (week), read in the same statement, and only when `change` is not 0 (CASE stops at the
    first condition that holds)."""
    table = _table(model)
    change = sa.bindparam("change", type_=sa.Integer())
    active = sa.case((change == 0, 0), (other_states.scalar_subquery() == 0, change), else_=0)
    statement = insert(table).values(
        {**{name: sa.bindparam(name) for name in (*key, *deltas)}, "active": active}
    )
    return statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in (*deltas, "active")},
    ).returning(table.c.logs)


def _other_states(model: type[SQLModel], period: str, *, bind: str = "when") -> sa.Select[Any]:
    """How many rows the volunteer has for the day (week) `bind` in states other than `state`."""
    table = _table(model)
    return sa.select(sa.func.count().label("n")).where(
        table.c.team_id == sa.bindparam("team_id"),
        table.c.volunteer_id == sa.bindparam("volunteer_id"),
        table.c[period] == sa.bindparam(bind, type_=table.c[period].type),
        table.c.state != sa.bindparam("state"),
    )


_STATEMENTS = {"sqlite": _build_statements(sqlite_insert), "postgresql": _build_statements(pg_insert)}


def _build_pg_log(*, in_channel: bool = False) -> Prepared:
    """A log and its rollups as one PostgreSQL statement (data-modifying CTEs): atomic on
    its own, and it holds the row of the state's day it updates only while the server runs it,
    never while the bot goes on to its next statement or its commit. Returns the volunteer's
    day and the state's day after it (this shard as updated, the others as the statement
    found them), as `mine_*` and `state_*`, and the goal rows that bear on the day (`goals_for`)
    as four arrays, `goal_*`.

    `in_channel`: the log is written only if the channel `channel_id` is bound to `state` with
    zone `channel_zone` (else the statement changes nothing and returns no row); with it, the
    volunteer's row is made if they are new (profile due at once: `enrolled_at`), and their
    stored profile as it was before is returned too (`profile_columns`, `profile_id` None: new)."""
    metrics = tuple(m.value for m in METRICS)
    day_key = ("team_id", "volunteer_id", "state", "local_date")
    week_key = ("team_id", "volunteer_id", "state", "week_start")
    contact_log = _table(ContactLog)
    volunteer = _table(Volunteer)
    if in_channel:
        state_table = _table(State)
        checked = (
            sa.select(sa.literal_column("1").label("bound"))
            .where(
                state_table.c.team_id == sa.bindparam("team_id"),
                state_table.c.channel_id == sa.bindparam("channel_id"),
                state_table.c.code == sa.bindparam("state"),
                state_table.c.timezone == sa.bindparam("channel_zone"),
            )
            .cte("bound")
        )
        # As `ensure_volunteer` makes it: the profile is filled in from Slack after the reply.
        enrolled = pg_insert(volunteer).from_select(
            [
                "team_id",
                "id",
                "created_at",
                "profile_updated_at",
                "display_name",
                "real_name",
                "is_workspace_admin",
            ],
            sa.select(
                sa.bindparam("team_id", type_=volunteer.c.team_id.type),
                sa.bindparam("volunteer_id", type_=volunteer.c.id.type),
                sa.bindparam("logged_at", type_=volunteer.c.created_at.type),
                sa.bindparam("enrolled_at", type_=volunteer.c.profile_updated_at.type),
                sa.literal(""),
                sa.literal(""),
                sa.false(),
            ).select_from(checked),
        )
        # Run to completion though nothing reads it, as every data-modifying CTE is.
        enrolled_cte = enrolled.on_conflict_do_nothing(index_elements=["team_id", "id"]).cte("enrolled")
        insert_log = pg_insert(contact_log).from_select(
            list(_LOG_COLUMNS),
            sa.select(
                *(sa.bindparam(name, type_=contact_log.c[name].type) for name in _LOG_COLUMNS)
            ).select_from(checked),
        )
        log = insert_log.returning(contact_log.c.id).cte("log")
    else:
        log = _log_statement().returning(contact_log.c.id).cte("log")
    # The volunteer's day and week, for the log's row (none when the log was not written).
    day = _upsert_from(ContactDay, day_key, (*metrics, "logs"), log).cte("day")
    week = _upsert_from(ContactWeek, week_key, (*metrics, "contacts", "logs"), log).cte("week")
    state_day = _table(StateDay)
    key = ("team_id", "state", "local_date", "shard")
    # The volunteer's first log of the day makes them active in the state that day.
    rows = sa.select(
        *(sa.bindparam(name, type_=state_day.c[name].type) for name in (*key, *metrics, "logs")),
        sa.case((day.c.logs == 1, 1), else_=0),
    ).select_from(day)
    insert = pg_insert(state_day).from_select([*key, *metrics, "logs", "active"], rows)
    shard = (
        insert.on_conflict_do_update(
            index_elements=list(key),
            set_={name: state_day.c[name] + insert.excluded[name] for name in (*metrics, "logs", "active")},
        )
        .returning(*(state_day.c[name] for name in (*metrics, "active")))
        .cte("shard")
    )
    sums = (sa.func.coalesce(sa.func.sum(state_day.c[name]), 0).label(name) for name in (*metrics, "active"))
    others = (
        sa.select(*sums)
        .where(
            state_day.c.team_id == sa.bindparam("team_id"),
            state_day.c.state == sa.bindparam("state"),
            state_day.c.local_date == sa.bindparam("local_date"),
            state_day.c.shard != sa.bindparam("shard"),
        )
        .cte("others")
    )
    # The organization's day and week: the volunteer is newly active there when this is their
    # first log of the day (week) in this state and they had none in another (this statement's
    # snapshot is from before it, so the counts are of the other states' rows only).
    other_days = _other_states(ContactDay, "local_date", bind="local_date").cte("other_days")
    other_weeks = _other_states(ContactWeek, "week_start", bind="week_start").cte("other_weeks")
    org_day = _org_upsert_pg(
        OrgDay,
        ("team_id", "local_date", "shard"),
        (*metrics, "logs"),
        sa.and_(day.c.logs == 1, other_days.c.n == 0),
        day.join(other_days, sa.true()),
    ).cte("org_day")
    org_week = _org_upsert_pg(
        OrgWeek,
        ("team_id", "week_start", "shard"),
        (*metrics, "contacts", "logs"),
        sa.and_(week.c.logs == 1, other_weeks.c.n == 0),
        week.join(other_weeks, sa.true()),
    ).cte("org_week")
    goal = _table(Goal)
    goals = (
        sa.select(
            *(
                sa.func.array_agg(goal.c[name]).label(name)
                for name in ("metric", "target", "local_date", "starts_on")
            )
        )
        .where(goal_rows_bearing_on(sa.bindparam("local_date", type_=goal.c.local_date.type)))
        .cte("goals")
    )
    joined = (
        day.join(shard, sa.true())
        .join(others, sa.true())
        .join(log, sa.true())
        .join(week, sa.true())
        .join(org_day, sa.true())
        .join(org_week, sa.true())
        .join(goals, sa.true())
    )
    stored: tuple[Any, ...] = ()
    if in_channel:
        # As the statement's snapshot has it: before this statement made the row, if it did.
        who = (
            sa.select(*profile_columns(volunteer))
            .where(
                volunteer.c.team_id == sa.bindparam("team_id"), volunteer.c.id == sa.bindparam("volunteer_id")
            )
            .subquery("who")
        )
        joined = joined.outerjoin(who, sa.true())
        stored = tuple(who.c)
    statement = sa.select(
        sa.bindparam("state", type_=state_day.c.state.type).label("log_state"),
        sa.bindparam("local_date", type_=state_day.c.local_date.type).label("log_local_date"),
        *(day.c[name].label(f"mine_{name}") for name in metrics),
        *((shard.c[name] + others.c[name]).label(f"state_{name}") for name in (*metrics, "active")),
        log.c.id.label("log_id"),
        week.c.logs.label("week_logs"),
        *(goals.c[name].label(f"goal_{name}") for name in ("metric", "target", "local_date", "starts_on")),
        *stored,
    ).select_from(joined)
    if in_channel:
        statement = statement.add_cte(enrolled_cte)
    return Prepared(statement)


def _upsert_from(model: type[SQLModel], key: tuple[str, ...], deltas: tuple[str, ...], source: Any) -> Any:
    """`_upsert_statement` on PostgreSQL, writing a row only for each row of `source`."""
    table = _table(model)
    rows = sa.select(*(sa.bindparam(name, type_=table.c[name].type) for name in (*key, *deltas))).select_from(
        source
    )
    statement = pg_insert(table).from_select([*key, *deltas], rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in deltas}
    )
    return statement.returning(*(table.c[name] for name in deltas))


def _org_upsert_pg(
    model: type[SQLModel], key: tuple[str, ...], deltas: tuple[str, ...], newly_active: Any, source: Any
) -> Any:
    """The organization's row for the day (week) of the log: its deltas added, and one more
    active volunteer when `newly_active`."""
    table = _table(model)
    rows = sa.select(
        *(sa.bindparam(name, type_=table.c[name].type) for name in (*key, *deltas)),
        sa.case((newly_active, 1), else_=0),
    ).select_from(source)
    insert = pg_insert(table).from_select([*key, *deltas, "active"], rows)
    return insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + insert.excluded[name] for name in (*deltas, "active")},
    ).returning(table.c.logs)


_PG_LOG = _build_pg_log()
_PG_LOG_IN_CHANNEL = _build_pg_log(in_channel=True)


def _build_log_place() -> Prepared:
    one = sa.select(sa.literal_column("1").label("one")).subquery("one")
    volunteer = _table(Volunteer).alias("volunteer")
    channel = _table(State).alias("channel_state")
    home = _table(State).alias("home_state")
    joined = (
        one.outerjoin(
            volunteer,
            sa.and_(
                volunteer.c.team_id == sa.bindparam("team_id"), volunteer.c.id == sa.bindparam("user_id")
            ),
        )
        .outerjoin(
            channel,
            sa.and_(
                channel.c.team_id == sa.bindparam("team_id"),
                channel.c.channel_id == sa.bindparam("channel_id"),
            ),
        )
        .outerjoin(
            home, sa.and_(home.c.team_id == volunteer.c.team_id, home.c.code == volunteer.c.home_state)
        )
    )
    return Prepared(
        sa.select(
            *profile_columns(volunteer),
            volunteer.c.home_state,
            home.c.timezone.label("home_zone"),
            channel.c.code.label("channel_state"),
            channel.c.timezone.label("channel_zone"),
        ).select_from(joined)
    )


_LOG_PLACE = _build_log_place()


def _statements(session: Session) -> _Statements:
    return _STATEMENTS[session.get_bind().dialect.name]


def _result(session: Session, log: ContactLog, *, already: bool) -> LogResult:
    return LogResult(
        state=log.state,
        day=log.local_date,
        recorded=Counts.of_row(log),
        shift_id=log.shift_id,
        mine_today=_mine(session, log.team_id, log.volunteer_id, log.state, log.local_date),
        progress=state_progress(session, team_id=log.team_id, state=log.state, day=log.local_date),
        already=already,
    )


def _mine(session: Session, team_id: str, user_id: str, state: str, day: date) -> Counts:
    row = session.get(ContactDay, (team_id, user_id, state, day), populate_existing=True)
    return Counts.of_row(row)


# ---------------------------------------------------------------- goals


# ---------------------------------------------------------------- stats
