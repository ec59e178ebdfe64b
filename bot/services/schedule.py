"""When each state's scheduled posts are due, in the state's own zone.

Clock-time jobs (morning, evening, day-before, weekly) fire once per local date at the
state's configured wall-clock time: on a DST change day that is still exactly once (a time
skipped by spring-forward fires at the shifted instant; a repeated one at its first
occurrence). Shift-relative jobs (reminders, after-shift) are due at a fixed offset from
each shift. A run is still worth making for a while after it was due (`USEFUL_FOR`), which
is how a bot that was down catches up on start without posting stale news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from bot.i18n import N_
from bot.models import Shift, State
from bot.services.clock import local_date, local_instant
from bot.services.errors import Refused, StateHasNoChannel
from bot.services.roles import Actor, require_coordinator
from bot.services.states import ensure_state


class Job(StrEnum):
    MORNING = "morning"
    EVENING = "evening"
    DAY_BEFORE = "day-before"
    REMINDERS = "reminders"
    AFTER_SHIFT = "after-shift"
    WEEKLY = "weekly"


CLOCK_JOBS = (Job.MORNING, Job.EVENING, Job.DAY_BEFORE, Job.WEEKLY)
TIME_COLUMN = {
    Job.MORNING: "morning_at",
    Job.EVENING: "evening_at",
    Job.DAY_BEFORE: "day_before_at",
    Job.WEEKLY: "weekly_at",
}
# How long after it was due a run is still worth making (a catch-up window).
USEFUL_FOR = {
    Job.MORNING: timedelta(hours=2),
    Job.EVENING: timedelta(hours=2),
    Job.DAY_BEFORE: timedelta(hours=6),
    Job.WEEKLY: timedelta(hours=12),
    Job.AFTER_SHIFT: timedelta(hours=6),
}
MONDAY = 0


@dataclass(frozen=True)
class StateSchedule:
    team_id: str
    state: str
    timezone: str
    channel_id: str | None
    times: dict[Job, time]
    reminder_lead: timedelta
    follow_up: timedelta


@dataclass(frozen=True)
class Run:
    """One clock-time job for one state on one local date, due at `due` (UTC)."""

    job: Job
    state: str
    day: date
    due: datetime


@dataclass(frozen=True)
class DigestTarget:
    """Where and in which zone a state's digest is posted."""

    team_id: str
    state: str
    channel_id: str
    timezone: str


def schedules(session: Session, *, team_id: str) -> list[StateSchedule]:
    """Workspace `team_id`'s states and when their posts go out."""
    states = select(State).where(State.team_id == team_id).order_by(col(State.code))
    return [_schedule(row) for row in session.exec(states)]


def every_schedule(session: Session) -> list[StateSchedule]:
    """Every workspace's states and when their posts go out (by workspace, then state)."""
    states = select(State).order_by(col(State.team_id), col(State.code))
    return [_schedule(row) for row in session.exec(states)]


def schedule_for(session: Session, *, team_id: str, code: str) -> StateSchedule | None:
    row = session.get(State, (team_id, code))
    return _schedule(row) if row else None


def _schedule(row: State) -> StateSchedule:
    return StateSchedule(
        team_id=row.team_id,
        state=row.code,
        timezone=row.timezone,
        channel_id=row.channel_id,
        times={job: getattr(row, TIME_COLUMN[job]) for job in CLOCK_JOBS},
        reminder_lead=timedelta(minutes=row.reminder_lead_minutes),
        follow_up=timedelta(minutes=row.follow_up_minutes),
    )


def fires_on(schedule: StateSchedule, job: Job, day: date) -> bool:
    return job != Job.WEEKLY or day.weekday() == MONDAY


def due_at(schedule: StateSchedule, job: Job, day: date) -> datetime:
    return local_instant(day, schedule.times[job], schedule.timezone)


def runs_between(schedule: StateSchedule, jobs: tuple[Job, ...], start: datetime, end: datetime) -> list[Run]:
    """Clock-time runs due in (start, end], in order."""
    first = local_date(start, schedule.timezone) - timedelta(days=1)
    last = local_date(end, schedule.timezone) + timedelta(days=1)
    runs = []
    day = first
    while day <= last:
        for job in jobs:
            if job in CLOCK_JOBS and fires_on(schedule, job, day):
                due = due_at(schedule, job, day)
                if start < due <= end:
                    runs.append(Run(job, schedule.state, day, due))
        day += timedelta(days=1)
    return sorted(runs, key=lambda r: (r.due, r.job))


def due_now(schedule: StateSchedule, job: Job, now: datetime) -> Run | None:
    """The latest run of `job` that is due and still useful at `now`, if any."""
    runs = runs_between(schedule, (job,), now - USEFUL_FOR[job], now)
    return runs[-1] if runs else None


def next_run(schedule: StateSchedule, job: Job, now: datetime) -> datetime:
    runs = runs_between(schedule, (job,), now, now + timedelta(days=8))
    return runs[0].due


def events_between(session: Session, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in (start, end] at which some job falls due in any workspace, in order: what
    a scheduler ticking through that span would have acted on (used to move a simulated clock)."""
    instants: set[datetime] = set()
    for schedule in every_schedule(session):
        instants.update(run.due for run in runs_between(schedule, CLOCK_JOBS, start, end))
        shifts = session.exec(
            select(Shift.starts_at, Shift.ends_at).where(
                Shift.team_id == schedule.team_id,
                Shift.state == schedule.state,
                col(Shift.starts_at) > start - schedule.follow_up - timedelta(days=1),
                col(Shift.starts_at) <= end + schedule.reminder_lead,
            )
        ).all()
        for starts_at, ends_at in shifts:
            for due in (starts_at - schedule.reminder_lead, ends_at + schedule.follow_up):
                if start < due <= end:
                    instants.add(due)
    return sorted(instants)


def set_job_time(
    session: Session, *, actor: Actor, code: str, job: Job, at: time, now: datetime
) -> StateSchedule:
    """Coordinators move one of their state's clock-time posts."""
    require_coordinator(session, actor=actor, state=code, doing=N_("change {state}'s schedule"))
    if job not in CLOCK_JOBS:
        raise Refused(N_("`{job}` runs relative to each shift; its time can't be set."), job=str(job))
    state = ensure_state(session, team_id=actor.team_id, code=code, now=now)
    setattr(state, TIME_COLUMN[job], at)
    session.add(state)
    session.flush()
    return _schedule(state)


def state_schedule(session: Session, *, actor: Actor, code: str, now: datetime) -> StateSchedule:
    """Coordinators see when their state's posts go out."""
    require_coordinator(session, actor=actor, state=code, doing=N_("see {state}'s schedule"))
    return _schedule(ensure_state(session, team_id=actor.team_id, code=code, now=now))


def digest_target(session: Session, *, actor: Actor, code: str) -> DigestTarget:
    """Coordinators may post their state's digest now; it goes to the state's channel, which it must have."""
    require_coordinator(session, actor=actor, state=code, doing=N_("post {state}'s digest"))
    state = session.get(State, (actor.team_id, code))
    if state is None or not state.channel_id:
        raise StateHasNoChannel(code)
    return DigestTarget(actor.team_id, code, state.channel_id, state.timezone)
