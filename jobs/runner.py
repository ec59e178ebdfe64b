"""Which jobs are due, and running them: on every scheduler tick, for `turnout jobs run`,
and for `/turnout digest`. The same functions serve all three."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from functools import partial

from bot.deps import Deps
from bot.services.clock import local_date
from bot.services.schedule import (
    CLOCK_JOBS,
    Job,
    StateSchedule,
    due_now,
    every_schedule,
    schedule_for,
    schedules,
)
from bot.slack.lanes import LanesClosed
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
# The name a workspace's scheduled run goes by on its lane: one at a time per workspace.
SCHEDULED_RUN = "scheduled"


def submit_due(deps: Deps, now: datetime) -> dict[str, Future[Outcome]]:
    """What a scheduler tick does: hand each workspace's due work to that workspace's lane and
    return at once, so a workspace whose Slack answers 429s or times out holds up only itself.

    A workspace whose run from an earlier tick has not finished is left out this time; its
    posts catch up on a later tick (every message is claimed before it is sent, so nothing is
    sent twice, and a job runs late while it is still useful)."""
    started: dict[str, Future[Outcome]] = {}
    for team_id in deps.workspaces.active():
        try:
            future = deps.lanes.submit_once(team_id, SCHEDULED_RUN, partial(_logged_run, deps, team_id, now))
        except LanesClosed:  # the scheduler is stopping: the rest is due again at the next tick
            logger.info(
                "the scheduler is stopping: this tick's runs from %s on are left for the next", team_id
            )
            break
        if future is None:
            logger.info(
                "workspace %s is still busy with an earlier tick's posts; it catches up later", team_id
            )
        else:
            started[team_id] = future
    return started


def run_due(deps: Deps, now: datetime, *, team_id: str | None = None) -> Outcome:
    """Everything due at `now` and still useful, in workspace `team_id` or every workspace
    Turnout may post in, each on its own lane at once, waiting for all of them (`turnout jobs
    run`, the shell's clock, tests). One workspace failing does not stop the others."""
    teams = [team_id] if team_id else deps.workspaces.active()
    return _joined(deps, {team: partial(run_due_for_team, deps, team, now) for team in teams})


def _logged_run(deps: Deps, team_id: str, now: datetime) -> Outcome:
    """A tick's run: what it owes other workspaces' people is left to their lanes, unwaited."""
    outcome = run_due_for_team(deps, team_id, now)
    if outcome.sent or outcome.failed:
        logger.info("workspace %s: sent %d message(s), %d failed", team_id, outcome.sent, outcome.failed)
    if outcome.elsewhere:
        logger.info(
            "workspace %s: %d message(s) for other workspaces' people handed to their lanes",
            team_id,
            sum(batch.count for batch in outcome.elsewhere),
        )
    return outcome


def _joined(deps: Deps, work: dict[str, Callable[[], Outcome]]) -> Outcome:
    """Each workspace's work on its lane, all at once; their outcomes added up once all are done,
    with the messages each handed to other workspaces' lanes. A workspace whose work raised
    (already logged by its lane) is noted, the others counted."""
    futures = {team: deps.lanes.submit(team, fn) for team, fn in work.items()}
    total = Outcome()
    for team, future in futures.items():
        try:
            outcome = future.result()
            outcome.wait_elsewhere()
            total.merge(outcome)
        except Exception as error:
            total.notes.append(
                f"{team}: its jobs failed ({type(error).__name__}); the scheduler tries again next tick."
            )
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
        total.merge(retry_owed_messages(deps, client, team_id, pacer))
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
    teams = [team_id] if team_id else deps.workspaces.active()
    if state and not team_id:
        with deps.read_session() as session:
            bound = {s.team_id for s in every_schedule(session) if s.state == state}
        # The workspaces with that state; if none has it, each says so.
        teams = [team for team in teams if team in bound] or teams
    return _joined(deps, {team: partial(_run_job_in, deps, team, job, state, at) for team in teams})


def _run_job_in(deps: Deps, team_id: str, job: Job, state: str | None, at: datetime) -> Outcome:
    total = Outcome()
    client = deps.workspaces.client(team_id)
    if client is None:
        total.notes.append(f"{team_id} is not installed; nothing posted.")
        return total
    pacer = deps.make_pacer()
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
