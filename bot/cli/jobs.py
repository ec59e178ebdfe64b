"""`turnout jobs list` and `turnout jobs run`: the schedule at a glance, and one job by hand."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.deps import Deps, make_deps
from bot.services.clock import utcnow
from bot.services.places import PLACES
from bot.services.schedule import CLOCK_JOBS, Job, every_schedule, next_run
from bot.slack.workspaces import scheduling_client


def jobs_list(settings: Settings) -> int:
    deps = make_deps(settings)
    now = utcnow()
    with deps.read_session() as session:
        every = every_schedule(session)
    if not every:
        print("No states yet: bind one in Slack with /turnout state ST #channel.")
        return 0
    names = channel_names(deps, {s.channel_id for s in every if s.channel_id})
    print(f"{'state':<6} {'job':<12} {'next run (local time)':<28} channel")
    for schedule in every:
        channel = names.get(schedule.channel_id, schedule.channel_id) if schedule.channel_id else "(none)"
        for job in CLOCK_JOBS:
            at = next_run(schedule, job, now).astimezone(ZoneInfo(schedule.timezone))
            print(f"{schedule.state:<6} {job!s:<12} {at:%a %Y-%m-%d %H:%M %Z}{'':<6} {channel}")
        lead = int(schedule.reminder_lead.total_seconds() // 60)
        follow = int(schedule.follow_up.total_seconds() // 60)
        print(f"{schedule.state:<6} {'reminders':<12} {lead} min before each shift")
        print(f"{schedule.state:<6} {'after-shift':<12} {follow} min after each shift")
    return 0


def channel_names(deps: Deps, channel_ids: set[str]) -> dict[str, str]:
    """`#name (id)` for each channel Slack can name (conversations.info); the others are left out."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    # No retries: a listing should not wait on a Slack that is down; ids will do then.
    quiet = logging.getLogger("turnout.jobs.names")
    quiet.disabled = True  # a missing name is expected here, not an error worth a log line
    settings = deps.settings
    token = settings.slack_bot_token
    if settings.distributed:
        installed = scheduling_client(deps.workspaces)
        token = installed.token if installed is not None and installed.token else ""
    client = WebClient(
        token=token or None,
        base_url=settings.slack_api_url,
        timeout=5,
        retry_handlers=[],
        logger=quiet,
    )
    names: dict[str, str] = {}
    for channel_id in sorted(channel_ids):
        try:
            name = client.conversations_info(channel=channel_id)["channel"]["name"]
        except SlackApiError:
            continue
        except OSError:
            break  # unreachable: every other call would fail the same way
        names[channel_id] = f"#{name} ({channel_id})"
    return names


def jobs_run(settings: Settings, name: str, state: str | None, at_text: str | None) -> int:
    """Exit 0 when the job did its work or found it already done; 1 with a message otherwise
    (including when Slack did not take a message: it says why, and whether it is retried)."""
    from jobs.runner import run_job

    deps = make_deps(settings)
    code = state.upper() if state else None
    try:
        at = parse_at(deps, at_text, code)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    with deps.read_session() as session:
        if code and not any(s.state == code for s in every_schedule(session)):
            print(
                f"{code} has no settings yet: bind it in Slack with /turnout state {code} #channel.",
                file=sys.stderr,
            )
            return 1
    if not deps.workspaces.active():
        print("No workspace to post in: install Turnout in one first (/slack/install).", file=sys.stderr)
        return 1
    outcome = run_job(deps, Job(name), code, at, team_id=None)
    for note in outcome.notes:
        print(note, file=sys.stderr)
    done = [f"sent {outcome.sent}"] if outcome.sent or not outcome.failed else []
    if outcome.skipped or not outcome.failed:
        done.append(f"already done {outcome.skipped}")
    if outcome.failed:
        fates = list(dict.fromkeys(outcome.failures))
        why = fates[0].replace("; ", "); ", 1) if "; " in fates[0] else fates[0] + ")"
        more = f" (and {len(fates) - 1} other problem(s))" if len(fates) > 1 else ""
        done.append(f"{outcome.failed} failed ({why}{more}")
    print(f"{name}: {', '.join(done)}")
    if outcome.failed:
        return 1
    return 1 if outcome.notes and not outcome.sent and not outcome.skipped else 0


def parse_at(deps: Deps, text: str | None, state: str | None) -> datetime:
    """`--at`: an ISO time; one without an offset is in the state's zone (UTC for every state)."""
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--at must be an ISO time like 2026-11-22T09:00, got {text!r}") from None
    if moment.tzinfo is None:
        with deps.read_session() as session:
            zones = [s.timezone for s in every_schedule(session) if s.state == state]
            zone = (zones[0] if zones else PLACES[state].timezone) if state else "UTC"
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)
