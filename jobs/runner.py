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


def run_due(deps: Deps, now: datetime) -> Outcome:
    """Everything due at `now` and still useful, in every workspace Turnout may post in: what a
    scheduler tick does. One workspace failing does not stop the others."""
    total = Outcome()
    for team_id in deps.workspaces.active():
        try:
            total.merge(run_due_for_team(deps, team_id, now))
        except Exception:
            logger.exception("the jobs of workspace %s failed; they will be retried next tick", team_id)
    return total


def run_due_for_team(deps: Deps, team_id: str, now: datetime) -> Outcome:
    """Everything due at `now` and still useful in workspace `team_id`'s states, sent with its
    own client and paced on its own (Slack's limits are per workspace)."""
    total = Outcome()
    client = deps.workspaces.client(team_id)
    if client is None:
        total.notes.append(f"{team_id} is not installed; nothing posted.")
        return total
    pacer = deps.make_pacer()
    try:
        total.merge(retry_owed_messages(deps, client, team_id, pacer, now))
    except Exception:
        logger.exception("retrying owed messages failed; they will be retried next tick")
    with deps.read_session() as session:
        every = schedules(session, team_id=team_id)
    for schedule in every:
        for job in CLOCK_JOBS:
            run = due_now(schedule, job, now)
            if run is not None:
                runner = partial(CLOCK_RUNNERS[job], deps, client, pacer, schedule, run.day, now)
                total.merge(_guarded(job, schedule, runner))
        for job, shift_runner in SHIFT_RUNNERS.items():
            total.merge(_guarded(job, schedule, partial(shift_runner, deps, client, pacer, schedule, now)))
    return total


def run_job(deps: Deps, job: Job, state: str | None, at: datetime, *, team_id: str | None) -> Outcome:
    """One job now, as if the clock said `at` (for one state, or every state), in workspace
    `team_id` (None: every workspace Turnout may post in)."""
    total = Outcome()
    for team in [team_id] if team_id else deps.workspaces.active():
        client = deps.workspaces.client(team)
        if client is None:
            total.notes.append(f"{team} is not installed; nothing posted.")
            continue
        total.merge(_run_job_in(deps, client, team, job, state, at))
    return total


def _run_job_in(
    deps: Deps, client: WebClient, team_id: str, job: Job, state: str | None, at: datetime
) -> Outcome:
    pacer = deps.make_pacer()
    total = Outcome()
    with deps.read_session() as session:
        targets = (
            [schedule_for(session, team_id=team_id, code=state)]
            if state
            else schedules(session, team_id=team_id)
        )
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
