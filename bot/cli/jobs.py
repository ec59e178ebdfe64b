"""`turnout jobs list` and `turnout jobs run`: the schedule at a glance, and one job by hand."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from bot.config import Settings
from bot.deps import Deps, make_deps
from bot.models import Organization
from bot.services.clock import utcnow
from bot.services.places import PLACES
from bot.services.schedule import CLOCK_JOBS, Job, every_schedule, next_run
from bot.slack.delivery import owe_redraws_left
from bot.slack.redraws import SCHEDULER_UPDATE_BUDGET


def jobs_list(settings: Settings) -> int:
    """Each workspace's states, under its organization's name, with every job's next run and
    the channel it posts in, named by that workspace's own Slack."""
    deps = make_deps(settings, make_client_for=partial(_listing_client, settings))
    now = utcnow()
    with deps.read_session() as session:
        every = every_schedule(session)
        teams = list(dict.fromkeys(s.team_id for s in every))
        orgs = {
            org.team_id: org
            for org in session.exec(select(Organization).where(col(Organization.team_id).in_(teams)))
        }
    if not every:
        print("No states yet: bind one in Slack with /turnout state ST #channel.")
        return 0
    for n, team_id in enumerate(teams):
        org = orgs.get(team_id)
        gone = org is not None and org.uninstalled_at is not None
        heading = f"{org.name} ({team_id})" if org is not None and org.name else team_id
        print(("\n" if n else "") + heading + (": uninstalled, nothing is posted there" if gone else ""))
        mine = [s for s in every if s.team_id == team_id]
        wanted = {s.channel_id for s in mine if s.channel_id}
        names = {} if gone else channel_names(deps, team_id, wanted)
        print(f"{'state':<6} {'job':<12} {'next run (local time)':<28} channel")
        for schedule in mine:
            channel = names.get(schedule.channel_id, schedule.channel_id) if schedule.channel_id else "(none)"
            for job in CLOCK_JOBS:
                at = next_run(schedule, job, now).astimezone(ZoneInfo(schedule.timezone))
                print(f"{schedule.state:<6} {job!s:<12} {at:%a %Y-%m-%d %H:%M %Z}{'':<6} {channel}")
            lead = int(schedule.reminder_lead.total_seconds() // 60)
            follow = int(schedule.follow_up.total_seconds() // 60)
            print(f"{schedule.state:<6} {'reminders':<12} {lead} min before each shift")
            print(f"{schedule.state:<6} {'after-shift':<12} {follow} min after each shift")
    return 0


# A missing name is expected in a listing, not an error worth a log line.
_QUIET = logging.getLogger("turnout.jobs.names")
_QUIET.disabled = True


def _listing_client(settings: Settings, token: str | None) -> WebClient:
    """A client that gives up at once: a listing should not wait on a Slack that is down
    (no retries, five seconds), and ids will do then."""
    if token is None and not settings.distributed:
        token = settings.slack_bot_token or None
    return WebClient(
        token=token, base_url=settings.slack_api_url, timeout=5, retry_handlers=[], logger=_QUIET
    )


def channel_names(deps: Deps, team_id: str, channel_ids: set[str]) -> dict[str, str]:
    """`#name (id)` for each of workspace `team_id`'s channels its Slack can name
    (conversations.info with that workspace's token); the others are left out."""
    names: dict[str, str] = {}
    try:
        client = deps.workspaces.client(team_id)
    except (SlackApiError, OSError):  # asking Slack whose token this is failed
        return names
    if client is None:
        return names
    for channel_id in sorted(channel_ids):
        try:
            name = client.conversations_info(channel=channel_id)["channel"]["name"]
        except SlackApiError:
            continue
        except OSError:
            break  # unreachable: every other call would fail the same way
        names[channel_id] = f"#{name} ({channel_id})"
    return names


def jobs_run(
    settings: Settings, name: str, state: str | None, at_text: str | None, team: str | None = None
) -> int:
    """Exit 0 when the job did its work or found it already done; 1 with a message otherwise
    (including when Slack did not take a message: it says why, and whether it is retried).
    Every workspace's run goes at once, each on its own lane; this waits for all of them."""
    from jobs.runner import run_job

    deps = make_deps(settings, redraw_budget=SCHEDULER_UPDATE_BUDGET)
    code = state.upper() if state else None
    team_id = team.upper() if team else None
    try:
        at = parse_at(deps, at_text, code, team_id)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    try:
        with deps.read_session() as session:
            known = every_schedule(session)
        if code and not any(s.state == code and team_id in (None, s.team_id) for s in known):
            where = f" in {team_id}" if team_id else ""
            print(
                f"{code} has no settings yet{where}: bind it in Slack with /turnout state {code} #channel.",
                file=sys.stderr,
            )
            return 1
        active = deps.workspaces.active()
        if not active:
            print("No workspace to post in: install Turnout in one first (/slack/install).", file=sys.stderr)
            return 1
        if team_id and team_id not in active:
            print(
                f"Turnout does not post in workspace {team_id}: it is not installed there "
                f"(it posts in {', '.join(active)}; `turnout jobs list` names them).",
                file=sys.stderr,
            )
            return 1
        outcome = run_job(deps, Job(name), code, at, team_id=team_id)
    finally:
        deps.lanes.shutdown()
        owe_redraws_left(deps)  # the scheduler draws what this run left waiting its turn
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


def parse_at(deps: Deps, text: str | None, state: str | None, team_id: str | None = None) -> datetime:
    """`--at`: an ISO time; one without an offset is in the state's zone (UTC for every state)."""
    if not text:
        return utcnow()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--at must be an ISO time like 2026-11-22T09:00, got {text!r}") from None
    if moment.tzinfo is None:
        with deps.read_session() as session:
            zones = [
                s.timezone
                for s in every_schedule(session)
                if s.state == state and team_id in (None, s.team_id)
            ]
            zone = (zones[0] if zones else PLACES[state].timezone) if state else "UTC"
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)
