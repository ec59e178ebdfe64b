"""Coordinators and the schedule: `/turnout schedule` to see or move post times, `/turnout digest` to post one now."""

from __future__ import annotations

import re
from datetime import time

from bot.blocks import help as usage
from bot.blocks.common import text_reply
from bot.blocks.digests import build_schedule
from bot.services.clock import local_date
from bot.services.errors import TurnoutError, UsageError
from bot.services.roles import require_coordinator
from bot.services.schedule import CLOCK_JOBS, Job, StateSchedule, set_job_time
from bot.services.schedule import schedule_for as load_schedule
from bot.services.states import ensure_state
from bot.slack.delivery import digest_builder, post_digest
from handlers.common import Subcommand, TurnoutRequest, is_help, say
from handlers.parsing import require_state

CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
JOB_NAMES = ", ".join(str(j) for j in CLOCK_JOBS)


def run_schedule(request: TurnoutRequest) -> None:
    args = request.args
    if len(args) not in (1, 3) or is_help(args[0]):
        raise UsageError("Give a state, and to change a time, a post and HH:MM.", usage.SCHEDULE)
    code = require_state(args[0], usage.SCHEDULE)
    deps = request.deps
    schedule: StateSchedule | None
    with request.acting() as (session, actor):
        if len(args) == 3:
            job = _job(args[1], usage.SCHEDULE)
            schedule = set_job_time(
                session, actor=actor, code=code, job=job, at=_clock_time(args[2]), now=deps.clock()
            )
        else:
            require_coordinator(session, actor=actor, state=code, doing=f"see {code}'s schedule")
            ensure_state(session, code, now=deps.clock())
            schedule = load_schedule(session, code)
    assert schedule is not None
    say(request.respond, build_schedule(schedule, deps.clock()))


def run_digest(request: TurnoutRequest) -> None:
    args = request.args
    if not 1 <= len(args) <= 2 or is_help(args[0]):
        raise UsageError("Give a state, and optionally morning or evening.", usage.DIGEST)
    code = require_state(args[0], usage.DIGEST)
    job = args[1].lower() if len(args) == 2 else "morning"
    if job not in (Job.MORNING, Job.EVENING):
        raise UsageError(f"`{args[1][:20]}` isn't a digest. Digests: morning, evening.", usage.DIGEST)
    deps = request.deps
    with request.acting() as (session, actor):
        require_coordinator(session, actor=actor, state=code, doing=f"post {code}'s digest")
        schedule = load_schedule(session, code)
    if schedule is None or not schedule.channel_id:
        raise TurnoutError(
            f"{code} has no channel yet. An admin binds one with `/turnout state {code} #channel`."
        )
    now = deps.clock()
    day = local_date(now, schedule.timezone)
    result = post_digest(
        deps,
        request.client,
        job=job,
        channel=schedule.channel_id,
        day=day,
        build=digest_builder(job, code, day, now),
        refresh=True,
    )
    words = {
        "sent": "Posted",
        "updated": "Updated the already-posted",
        "already": "Already posted",
        "pending": "Already posting",
    }
    say(request.respond, text_reply(f"{words[result]} {job} digest for {code} in <#{schedule.channel_id}>."))


def _job(text: str, form: str) -> Job:
    try:
        job = Job(text.lower())
    except ValueError:
        raise UsageError(f"`{text[:20]}` isn't a post I schedule. Posts: {JOB_NAMES}.", form) from None
    if job not in CLOCK_JOBS:
        raise UsageError(f"`{job}` runs relative to each shift. Posts with a time: {JOB_NAMES}.", form)
    return job


def _clock_time(text: str) -> time:
    match = CLOCK_TIME.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UsageError(
            f"`{text[:20]}` isn't a time. Write it as HH:MM in 24-hour time, like 08:30.", usage.SCHEDULE
        )
    return time(int(match.group(1)), int(match.group(2)))


SUBCOMMANDS: dict[str, Subcommand] = {"schedule": run_schedule, "digest": run_digest}
