"""Coordinators and the schedule: `/turnout schedule` to see or move post times, `/turnout digest` to post one now."""

from __future__ import annotations

import re
from datetime import time

from bot.blocks import help as usage
from bot.blocks.digests import build_digest_posted, build_schedule
from bot.i18n import N_, Lang
from bot.models import DeliveryKind
from bot.services.clock import local_date
from bot.services.errors import UsageError
from bot.services.schedule import CLOCK_JOBS, Job, digest_target, set_job_time, state_schedule
from bot.slack.delivery import digest_builder, post_digest
from handlers.common import Subcommand, TurnoutRequest, answering, caller_lang, is_help, say
from handlers.parsing import fold_state, require_state

CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
JOB_NAMES = ", ".join(str(j) for j in CLOCK_JOBS)
DIGESTS = {str(kind): kind for kind in (DeliveryKind.MORNING, DeliveryKind.EVENING)}


def run_schedule(request: TurnoutRequest) -> None:
    lang = caller_lang(request.deps, request.who)
    # Answered here, in the caller's language, rather than by the router.
    with answering(request.respond, lang):
        args, _ = fold_state(request.args)
        if len(args) not in (1, 3) or is_help(args[0]):
            raise UsageError(N_("Give a state, and to change a time, a post and HH:MM."), usage.SCHEDULE)
        code = require_state(args[0], usage.SCHEDULE)
        deps = request.deps
        with request.acting() as (session, actor):
            if len(args) == 3:
                job = _job(args[1], usage.SCHEDULE)
                schedule = set_job_time(
                    session, actor=actor, code=code, job=job, at=_clock_time(args[2]), now=deps.clock()
                )
            else:
                schedule = state_schedule(session, actor=actor, code=code, now=deps.clock())
        say(request.respond, build_schedule(schedule, deps.clock(), lang))


def run_digest(request: TurnoutRequest) -> None:
    lang = caller_lang(request.deps, request.who)
    with answering(request.respond, lang):
        _run_digest(request, lang)


def _run_digest(request: TurnoutRequest, lang: Lang) -> None:
    """`/turnout digest`: the post in the state's language, the answer in the caller's."""
    args, _ = fold_state(request.args)
    if not 1 <= len(args) <= 2 or is_help(args[0]):
        raise UsageError(N_("Give a state, and optionally morning or evening."), usage.DIGEST)
    code = require_state(args[0], usage.DIGEST)
    kind = DIGESTS.get(args[1].lower() if len(args) == 2 else "morning")
    if kind is None:
        raise UsageError(
            N_("`{word}` isn't a digest. Digests: morning, evening."), usage.DIGEST, word=args[1][:20]
        )
    deps = request.deps
    with request.acting() as (session, actor):
        target = digest_target(session, actor=actor, code=code)
    now = deps.clock()
    day = local_date(now, target.timezone)
    outcome, _ = post_digest(
        deps,
        request.client,
        team_id=target.team_id,
        kind=kind,
        channel=target.channel_id,
        day=day,
        build=digest_builder(kind, target.team_id, code, day, now),
        refresh=True,
    )
    say(request.respond, build_digest_posted(outcome, kind, code, target.channel_id, lang))


def _job(text: str, form: str) -> Job:
    try:
        job = Job(text.lower())
    except ValueError:
        raise UsageError(
            N_("`{word}` isn't a post I schedule. Posts: {jobs}."), form, word=text[:20], jobs=JOB_NAMES
        ) from None
    if job not in CLOCK_JOBS:
        raise UsageError(
            N_("`{job}` runs relative to each shift. Posts with a time: {jobs}."),
            form,
            job=str(job),
            jobs=JOB_NAMES,
        )
    return job


def _clock_time(text: str) -> time:
    match = CLOCK_TIME.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise UsageError(
            N_("`{word}` isn't a time. Write it as HH:MM in 24-hour time, like 08:30."),
            usage.SCHEDULE,
            word=text[:20],
        )
    return time(int(match.group(1)), int(match.group(2)))


SUBCOMMANDS: dict[str, Subcommand] = {"schedule": run_schedule, "digest": run_digest}
