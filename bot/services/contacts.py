"""Contact logs, goals, stats and leaderboards.

Counts only, never voter details. Each log is written in one transaction with three
rollups: the volunteer's day (`ContactDay`), the state's day (`StateDay`) and the
volunteer's week (`ContactWeek`). Every total below reads a rollup, so its cost follows the
days and people asked about, not the size of history. Local days are the state's; weeks
run Monday to Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, col, select

from bot.db import insert_for
from bot.geo import PLACES
from bot.models import (
    HOLDING,
    ContactDay,
    ContactLog,
    ContactWeek,
    Counted,
    Goal,
    Metric,
    Shift,
    Signup,
    SignupStatus,
    StateDay,
    Volunteer,
)
from bot.services.clock import local_date
from bot.services.errors import NotFound, Refused
from bot.services.people import (
    Actor,
    display_names,
    ensure_state,
    require_coordinator,
    state_for_channel,
    state_timezone,
)

METRICS = tuple(Metric)
UNDO_WINDOW = timedelta(hours=24)
MAX_GOAL = 1_000_000
LEADERBOARD_SIZE = 10
NATIONAL_TZ = PLACES["US"].timezone


@dataclass(frozen=True)
class Counts:
    doors: int = 0
    calls: int = 0
    texts: int = 0
    convos: int = 0
    supporters: int = 0

    @classmethod
    def of(cls, values: dict[Metric, int]) -> Counts:
        return cls(**{m.value: values.get(m, 0) for m in METRICS})

    @classmethod
    def of_row(cls, row: Counted | None) -> Counts:
        """The counts a log or rollup row holds (none for a missing row)."""
        return cls(**{m.value: getattr(row, m.value) for m in METRICS}) if row is not None else cls()

    def get(self, metric: Metric) -> int:
        return int(getattr(self, metric.value))

    @property
    def contacts(self) -> int:
        """Attempts plus outcomes: what leaderboards rank by."""
        return self.doors + self.calls + self.texts + self.convos + self.supporters

    def items(self) -> list[tuple[Metric, int]]:
        return [(m, self.get(m)) for m in METRICS if self.get(m)]


@dataclass(frozen=True)
class Progress:
    """A state's day: totals, the goals that apply, and how many people logged."""

    state: str
    day: date
    totals: Counts
    goals: dict[Metric, int]
    active: int


@dataclass(frozen=True)
class LogResult:
    log_id: int
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


@dataclass(frozen=True)
class PersonalStats:
    today: Counts
    week: Counts
    all_time: Counts
    shifts_attended: int
    streak: int


@dataclass(frozen=True)
class StateStats:
    today: Progress
    week: Counts
    week_first: date


@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: str
    name: str
    contacts: int
    convos: int


@dataclass(frozen=True)
class Leaderboard:
    state: str | None
    window: str
    first: date | None
    last: date
    rows: list[Standing]
    me: Standing | None = None


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
    """(id, state, start) of shifts from the last week to tomorrow the volunteer is on: for the log form."""
    rows = session.exec(
        select(Shift.id, Shift.state, Shift.starts_at)
        .join(Signup, col(Signup.shift_id) == col(Shift.id))
        .where(
            Signup.volunteer_id == user_id,
            col(Signup.status).in_(_LOGGABLE),
            col(Shift.starts_at) > now - timedelta(days=7),
            col(Shift.starts_at) < now + timedelta(days=1),
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
    return model.__table__  # type: ignore[attr-defined]


def _upsert(session: Session, model: type[SQLModel], key: dict[str, object], deltas: dict[str, int]) -> int:
    """Insert the row or add `deltas` to it (ON CONFLICT DO UPDATE); the row's `logs` afterwards."""
    table = _table(model)
    statement = insert_for(session)(table).values(**key, **deltas)
    statement = statement.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + statement.excluded[name] for name in deltas}
    )
    return int(session.execute(statement.returning(table.c.logs)).scalar_one())


def week_start(day: date) -> date:
    """The Monday of `day`'s week: weeks run Monday to Sunday."""
    return day - timedelta(days=day.weekday())


def _result(session: Session, log: ContactLog, *, already: bool) -> LogResult:
    assert log.id is not None
    return LogResult(
        log_id=log.id,
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


def set_goal(
    session: Session,
    *,
    actor: Actor,
    state: str,
    metric: Metric,
    target: int,
    day: date | None,
    now: datetime,
) -> None:
    """Coordinators set a state's goal for one local day, or a standing daily goal (`day` None)."""
    require_coordinator(session, actor=actor, state=state, doing=f"set {state}'s goals")
    if not 1 <= target <= MAX_GOAL:
        raise Refused(f"A goal must be between 1 and {MAX_GOAL:,}.")
    if day is not None and day < local_date(now, state_timezone(session, state)):
        raise Refused(f"{day} is in the past; goals are for today or later.")
    ensure_state(session, state, now=now)
    goal = session.exec(
        select(Goal)
        .where(Goal.state == state, Goal.metric == metric)
        .where(col(Goal.local_date).is_(None) if day is None else Goal.local_date == day)
    ).first()
    if goal is None:
        goal = Goal(
            state=state, metric=metric, local_date=day, target=target, set_by=actor.user_id, set_at=now
        )
    goal.target, goal.set_by, goal.set_at = target, actor.user_id, now
    session.add(goal)
    session.flush()


def goals_for(session: Session, state: str, day: date) -> dict[Metric, int]:
    """The day's goals: a goal set for that date wins over the standing daily one."""
    rows = session.exec(
        select(Goal).where(
            Goal.state == state, (col(Goal.local_date) == day) | col(Goal.local_date).is_(None)
        )
    ).all()
    goals: dict[Metric, int] = {}
    for goal in sorted(rows, key=lambda g: g.local_date is not None):
        goals[Metric(goal.metric)] = goal.target
    return goals


# ---------------------------------------------------------------- stats


def state_progress(session: Session, state: str, day: date) -> Progress:
    row = session.get(StateDay, (state, day), populate_existing=True)
    totals = Counts.of_row(row)
    return Progress(state, day, totals, goals_for(session, state, day), row.active if row else 0)


def state_stats(session: Session, *, state: str, now: datetime) -> StateStats:
    today = local_date(now, state_timezone(session, state))
    monday = week_start(today)
    days = session.exec(
        select(StateDay).where(StateDay.state == state, col(StateDay.local_date).between(monday, today))
    ).all()
    week = Counts(*(sum(getattr(d, m.value) for d in days) for m in METRICS))
    return StateStats(state_progress(session, state, today), week, monday)


def personal_stats(session: Session, *, user_id: str, today: date) -> PersonalStats:
    """Today, this week and all time (all states), shifts attended, and the streak of days with a log."""
    mine = col(ContactDay.volunteer_id) == user_id
    monday = week_start(today)
    day_totals, _ = _sum(session, mine, col(ContactDay.local_date) == today)
    week, _ = _sum(session, mine, col(ContactDay.local_date).between(monday, today))
    all_time, _ = _sum(session, mine)
    attended = session.exec(
        select(func.count()).where(Signup.volunteer_id == user_id, Signup.status == SignupStatus.ATTENDED)
    ).one()
    return PersonalStats(
        day_totals, week, all_time, int(attended), streak(session, user_id=user_id, today=today)
    )


def streak(session: Session, *, user_id: str, today: date) -> int:
    """Consecutive days with a log, up to today (or up to yesterday, while today is still open)."""
    days = session.exec(
        select(col(ContactDay.local_date))
        .where(ContactDay.volunteer_id == user_id, col(ContactDay.local_date) <= today)
        .group_by(col(ContactDay.local_date))
        .order_by(col(ContactDay.local_date).desc())
        .limit(1000)
    ).all()
    expected = today if days and days[0] == today else today - timedelta(days=1)
    count = 0
    for day in days:
        if day != expected:
            break
        count += 1
        expected -= timedelta(days=1)
    return count


def leaderboard(
    session: Session, *, user_id: str, state: str | None, window: str, now: datetime
) -> Leaderboard:
    """Top volunteers by contacts (ties share a rank), and the caller's own standing."""
    today = local_date(now, state_timezone(session, state) if state else NATIONAL_TZ)
    first = {"today": today, "week": week_start(today), "all": None}[window]
    if window == "week" and state:
        return _state_week_board(session, user_id=user_id, state=state, monday=week_start(today), today=today)
    filters = [col(ContactDay.local_date) <= today]
    if first is not None:
        filters.append(col(ContactDay.local_date) >= first)
    if state:
        filters.append(col(ContactDay.state) == state)
    contacts = (
        func.sum(ContactDay.doors)
        + func.sum(ContactDay.calls)
        + func.sum(ContactDay.texts)
        + func.sum(ContactDay.convos)
        + func.sum(ContactDay.supporters)
    )
    rows = session.exec(
        select(ContactDay.volunteer_id, contacts, func.sum(ContactDay.convos))
        .where(*filters)
        .group_by(col(ContactDay.volunteer_id))
        .order_by(contacts.desc(), col(ContactDay.volunteer_id))
    ).all()
    ranked = _ranked([(vid, int(total or 0), int(convos or 0)) for vid, total, convos in rows])
    mine = next((r for r in ranked if r[1] == user_id), None)
    return _board(session, state, window, first, today, ranked, mine)


def _state_week_board(
    session: Session, *, user_id: str, state: str, monday: date, today: date
) -> Leaderboard:
    """One state's week from its volunteer-week rollup: the top rows straight off the index,
    the caller's rank as one count of those ahead. Its cost does not grow with the history."""
    this_week = (col(ContactWeek.state) == state, col(ContactWeek.week_start) == monday)
    top = session.exec(
        select(ContactWeek.volunteer_id, ContactWeek.contacts, ContactWeek.convos)
        .where(*this_week)
        .order_by(col(ContactWeek.contacts).desc(), col(ContactWeek.volunteer_id).desc())
        .limit(LEADERBOARD_SIZE * 2)
    ).all()
    mine = session.get(ContactWeek, (user_id, state, monday))
    me = None
    if mine is not None:
        ahead = session.exec(
            select(func.count()).where(*this_week, col(ContactWeek.contacts) > mine.contacts)
        ).one()
        me = (int(ahead) + 1, user_id, mine.contacts, mine.convos)
    return _board(session, state, "week", monday, today, _ranked(list(top)), me)


Ranked = tuple[int, str, int, int]  # (rank, volunteer id, contacts, conversations)


def _ranked(rows: list[tuple[str, int, int]]) -> list[Ranked]:
    """Competition ranking of rows already sorted by contacts, best first: ties share a rank."""
    ranked: list[Ranked] = []
    for position, (vid, contacts, convos) in enumerate(rows, start=1):
        rank = ranked[-1][0] if ranked and ranked[-1][2] == contacts else position
        ranked.append((rank, vid, contacts, convos))
    return ranked


def _board(
    session: Session,
    state: str | None,
    window: str,
    first: date | None,
    today: date,
    ranked: list[Ranked],
    mine: Ranked | None,
) -> Leaderboard:
    """The top of `ranked` (ranks 1 to 10, at most 20 rows with ties) and the caller's row, named."""
    shown = [r for r in ranked if r[0] <= LEADERBOARD_SIZE][: LEADERBOARD_SIZE * 2]
    names = display_names(session, [r[1] for r in shown] + ([mine[1]] if mine else []))

    def standing(row: Ranked) -> Standing:
        return Standing(row[0], row[1], names.get(row[1], row[1]), row[2], row[3])

    return Leaderboard(
        state, window, first, today, [standing(r) for r in shown], standing(mine) if mine else None
    )


def _sum(session: Session, *where: object) -> tuple[Counts, int]:
    row = session.execute(
        sa_select(
            func.coalesce(func.sum(ContactDay.doors), 0),
            func.coalesce(func.sum(ContactDay.calls), 0),
            func.coalesce(func.sum(ContactDay.texts), 0),
            func.coalesce(func.sum(ContactDay.convos), 0),
            func.coalesce(func.sum(ContactDay.supporters), 0),
            func.count(func.distinct(ContactDay.volunteer_id)),
        ).where(*where)  # type: ignore[arg-type]
    ).one()
    return Counts(*(int(v) for v in row[:5])), int(row[5])
