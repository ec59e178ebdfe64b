"""Which jobs are due, and running them: on every scheduler tick, for `turnout jobs run`,
and for `/turnout digest`. The same functions serve all three."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.clock import local_date
from bot.services.schedule import CLOCK_JOBS, Job, StateSchedule, due_now, schedule_for, schedules
from jobs.posts import (
    Outcome,
    post_evening_digest,
    post_morning_digest,
    retry_owed_messages,
    send_day_before,
    send_follow_ups,
    send_reminders,
    send_weekly_digest,
)

logger = logging.getLogger(__name__)
CLOCK_RUNNERS = {
    Job.MORNING: post_morning_digest,
    Job.EVENING: post_evening_digest,
    Job.DAY_BEFORE: send_day_before,
    Job.WEEKLY: send_weekly_digest,
}
SHIFT_RUNNERS = {Job.REMINDERS: send_reminders, Job.AFTER_SHIFT: send_follow_ups}


def run_due(deps: Deps, client: WebClient, now: datetime) -> Outcome:
    """Everything due at `now` and still useful, in every state: what a scheduler tick does."""
    total = Outcome()
    pacer = deps.make_pacer()
    try:
        total.merge(retry_owed_messages(deps, client, pacer, now))
    except Exception:
        logger.exception("retrying owed messages failed; they will be retried next tick")
    with deps.read_session() as session:
        every = schedules(session)
    for schedule in every:
        for job in CLOCK_JOBS:
            run = due_now(schedule, job, now)
            if run is not None:
                runner = partial(CLOCK_RUNNERS[job], deps, client, pacer, schedule, run.day, now)
                total.merge(_guarded(job, schedule, runner))
        for job, shift_runner in SHIFT_RUNNERS.items():
            total.merge(_guarded(job, schedule, partial(shift_runner, deps, client, pacer, schedule, now)))
    return total


def run_job(deps: Deps, client: WebClient, job: Job, state: str | None, at: datetime) -> Outcome:
    """One job now, as if the clock said `at` (for one state, or every state)."""
    pacer = deps.make_pacer()
    total = Outcome()
    with deps.read_session() as session:
        targets = [schedule_for(session, state)] if state else schedules(session)
    for schedule in targets:
        if schedule is None:
            total.notes.append(f"{state} has no settings yet: bind it with /turnout state first.")
            continue
        if job in CLOCK_RUNNERS:
            day = local_date(at, schedule.timezone)
            total.merge(CLOCK_RUNNERS[job](deps, client, pacer, schedule, day, at))
        else:
            total.merge(SHIFT_RUNNERS[job](deps, client, pacer, schedule, at))
    return total


def _guarded(job: Job, schedule: StateSchedule, run: Callable[[], Outcome]) -> Outcome:
    """One state's job failing must not stop the others; it is logged and retried next tick."""
    try:
        return run()
    except Exception:
        logger.exception("job %s for %s failed; it will be retried", job, schedule.state)
        return Outcome()
