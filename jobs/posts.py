"""The scheduled jobs. Module-level functions; each delivers through `deliver_once`, so a
rerun, a restart, a caught-up run or a second scheduler never posts anything twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.blocks.charts import weekly_chart
from bot.blocks.common import Reply
from bot.blocks.digests import (
    build_at_risk_post,
    build_day_before_dm,
    build_follow_up_dm,
    build_reminder_dm,
    build_weekly_digest,
)
from bot.deps import Deps
from bot.i18n import Lang, language
from bot.models import DeliveryKind
from bot.services.clock import local_day_bounds, local_instant
from bot.services.digests import ShiftPeople, readers_languages, shifts_ending, shifts_starting, weekly_digest
from bot.services.members import Member
from bot.services.schedule import USEFUL_FOR, Job, StateSchedule
from bot.services.shifts import ShiftView, seen_from
from bot.services.states import leads_targets
from bot.slack.delivery import (
    Delivered,
    Fate,
    constant,
    deliver_once,
    digest_builder,
    owe_elsewhere,
    post_digest,
)
from bot.slack.lanes import LanesClosed
from bot.slack.owed import hand_over, retry_owed
from bot.slack.pacing import Pacer
from bot.slack.uploads import deliver_chart, weekly_key

logger = logging.getLogger(__name__)
EPSILON = timedelta(microseconds=1)  # turns a half-open [start, end) query into (start, end]


@dataclass(frozen=True)
class Handed:
    """Messages a run handed to another workspace's lane: how many, the lane's sending of those
    not already queued there (None: all were), and the timezone its failures are told in."""

    count: int
    sending: Future[list[Delivered]] | None
    timezone: str


@dataclass
class Outcome:
    """What a job run did: messages sent now, those found already delivered (or someone else's
    to send), and those Slack did not take (retried by the scheduler, or given up)."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0
    notes: list[str] = field(default_factory=list)
    # Why the failed ones failed, and what happens to them next, one line each.
    failures: list[str] = field(default_factory=list)
    # Messages owed to people of other workspaces, handed to those workspaces' lanes: counted
    # by whoever waits for them (`jobs.runner`), not by the run that handed them over.
    elsewhere: list[Handed] = field(default_factory=list)

    def add(self, result: Delivered, timezone: str = "UTC") -> None:
        """Count one message by what its try came to."""
        if result.sent:
            self.sent += 1
        elif result.fate in (Fate.RETRYING, Fate.FAILED):
            self.failed += 1
            self.failures.append(describe_failure(result, timezone))
        else:
            self.skipped += 1

    def wait_elsewhere(self) -> None:
        """Wait for the messages handed to other workspaces' lanes and count them by what their
        tries came to (one an earlier hand-over still holds: someone else's to send)."""
        handed, self.elsewhere = self.elsewhere, []
        for batch in handed:
            results = batch.sending.result() if batch.sending is not None else []
            self.skipped += batch.count - len(results)
            for result in results:
                self.add(result, batch.timezone)

    def merge(self, other: Outcome) -> None:
        self.sent += other.sent
        self.skipped += other.skipped
        self.failed += other.failed
        self.notes += other.notes
        self.failures += other.failures
        self.elsewhere += other.elsewhere


def describe_failure(result: Delivered, timezone: str) -> str:
    """`Slack answered 500 fatal_error); it will be retried by the scheduler until 11:00 CST`."""
    problem = result.problem or "Slack did not take it"
    if result.fate == Fate.RETRYING and result.until is not None:
        until = result.until.astimezone(ZoneInfo(timezone))
        return f"{problem}; it will be retried by the scheduler until {until:%H:%M %Z}"
    return f"{problem}; it will not be retried"


def post_morning_digest(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, day: date, now: datetime
) -> Outcome:
    return _digest(deps, client, pacer, schedule, DeliveryKind.MORNING, day, now)


def post_evening_digest(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, day: date, now: datetime
) -> Outcome:
    return _digest(deps, client, pacer, schedule, DeliveryKind.EVENING, day, now)


def _digest(
    deps: Deps,
    client: WebClient,
    pacer: Pacer,
    schedule: StateSchedule,
    kind: DeliveryKind,
    day: date,
    now: datetime,
) -> Outcome:
    outcome = Outcome()
    if not schedule.channel_id:
        outcome.notes.append(f"{schedule.state} has no channel; bind one with /turnout state.")
        return outcome
    pacer.wait(schedule.channel_id)
    job = Job(str(kind))
    _, result = post_digest(
        deps,
        client,
        team_id=schedule.team_id,
        kind=kind,
        channel=schedule.channel_id,
        day=day,
        build=digest_builder(kind, schedule.team_id, schedule.state, day, now),
        expires_at=useful_until(schedule, job, day),
    )
    outcome.add(result, schedule.timezone)
    return outcome


def useful_until(schedule: StateSchedule, job: Job, day: date) -> datetime:
    """The end of a clock-time job's window: when its post stops being worth retrying."""
    return local_instant(day, schedule.times[job], schedule.timezone) + USEFUL_FOR[job]


def retry_owed_messages(deps: Deps, client: WebClient, team_id: str, pacer: Pacer) -> Outcome:
    """Every owed message of workspace `team_id` whose retry is due (or whose sender crashed),
    while still useful."""
    outcome = Outcome()
    for result in retry_owed(deps, client, team_id, wait=pacer.wait):
        outcome.add(result)
    return outcome


def send_day_before(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, day: date, now: datetime
) -> Outcome:
    """DMs to everyone holding a place on tomorrow's shifts: Confirm / Can't make it."""
    outcome = Outcome()
    start, end = local_day_bounds(day + timedelta(days=1), schedule.timezone)
    with deps.read_session() as session:
        items = shifts_starting(
            session, team_id=schedule.team_id, state=schedule.state, start=max(start, now), end=end
        )
    until = useful_until(schedule, Job.DAY_BEFORE, day)
    _dm_everyone(
        deps, client, pacer, DeliveryKind.DAY_BEFORE, items, build_day_before_dm, outcome, schedule, until
    )
    return outcome


def send_reminders(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, now: datetime
) -> Outcome:
    """Shortly before each shift: a reminder DM to each person on it, and an at-risk post if it
    is short of people or has unconfirmed ones. Never for a shift that has started."""
    outcome = Outcome()
    with deps.read_session() as session:
        # Shifts starting in (now, now + lead]: never one that has already started.
        items = shifts_starting(
            session,
            team_id=schedule.team_id,
            state=schedule.state,
            start=now + EPSILON,
            end=now + schedule.reminder_lead + EPSILON,
        )
    _dm_everyone(deps, client, pacer, DeliveryKind.REMINDER, items, build_reminder_dm, outcome, schedule)
    at_risk = [item for item in items if not item.shift.full or item.unconfirmed]
    if not at_risk:
        return outcome
    with deps.read_session() as session:
        leads = leads_targets(session, team_id=schedule.team_id, code=schedule.state)
        # The state's channel (volunteers cover it), its leads, and each shift's host: each copy
        # is an at-risk post in its reader's language, kept current as the shift fills.
        everyone = [*([schedule.channel_id] if schedule.channel_id else []), *leads]
        hosts = [i.shift.host_id for i in at_risk if i.shift.host_id and i.shift.host_id not in everyone]
        reads = readers_languages(
            session, team_id=schedule.team_id, state=schedule.state, targets=[*everyone, *hosts]
        )
    for item in at_risk:
        targets = list(everyone)
        if item.shift.host_id and item.shift.host_id not in targets:
            targets.append(item.shift.host_id)
        drawn: dict[str, Reply] = {}
        for target in targets:
            code = reads[target]
            if code not in drawn:
                drawn[code] = build_at_risk_post(item, language(code))
            pacer.wait(target)
            outcome.add(
                deliver_once(
                    deps,
                    client,
                    team_id=schedule.team_id,
                    kind=DeliveryKind.AT_RISK,
                    channel=target,
                    key=str(item.shift.id),
                    build=constant(drawn[code]),
                    expires_at=item.shift.starts_at,
                ),
                schedule.timezone,
            )
    return outcome


def send_follow_ups(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, now: datetime
) -> Outcome:
    """After each shift: "How did it go?" with a Log contacts button, while it is still fresh."""
    outcome = Outcome()
    latest_end = now - schedule.follow_up
    with deps.read_session() as session:
        items = shifts_ending(
            session,
            team_id=schedule.team_id,
            state=schedule.state,
            start=latest_end - USEFUL_FOR[Job.AFTER_SHIFT],
            end=latest_end + EPSILON,
        )
    _dm_everyone(
        deps,
        client,
        pacer,
        DeliveryKind.FOLLOW_UP,
        items,
        build_follow_up_dm,
        outcome,
        schedule,
        lambda shift: shift.ends_at + schedule.follow_up + USEFUL_FOR[Job.AFTER_SHIFT],
    )
    return outcome


def _dm_everyone(
    deps: Deps,
    client: WebClient,
    pacer: Pacer,
    kind: DeliveryKind,
    items: list[ShiftPeople],
    build: Callable[[ShiftView, Lang], Reply],
    outcome: Outcome,
    schedule: StateSchedule,
    until: datetime | Callable[[ShiftView], datetime] | None = None,
) -> None:
    """One DM of `kind` per person per shift, each sent once (keyed by the shift, whatever the
    language), in its recipient's language, paced; each worth retrying until `until` (by
    default, until the shift starts). Those to people of another workspace (on a shared shift)
    are recorded here and sent on that workspace's lane, with its token and pacing, so that
    workspace's Slack never holds up this run (`bot.slack.owed`)."""
    if not items:
        return
    # People of another organization on a shared shift read it as their own workspace shows it
    # (its people by name and organization), in the language they chose there.
    teams = sorted({who.team_id for item in items for who in item.people})
    reads: dict[Member, str] = {}
    views: dict[tuple[int, str], ShiftView] = {}
    with deps.read_session() as session:
        for team in teams:
            people = sorted({who.user_id for item in items for who in item.people if who.team_id == team})
            found = readers_languages(session, team_id=team, state=schedule.state, targets=people)
            reads.update({Member(team, user_id): code for user_id, code in found.items()})
        for item in items:
            for team in {who.team_id for who in item.people}:
                views[item.shift.id, team] = seen_from(session, item.shift, team)
    handed: dict[str, list[int]] = {}
    for item in items:
        drawn: dict[tuple[str, str], Reply] = {}
        if until is None:
            expires_at = item.shift.starts_at
        elif isinstance(until, datetime):
            expires_at = min(until, item.shift.starts_at)
        else:
            expires_at = until(item.shift)
        for who in item.people:  # a shared shift's: each in their own workspace, with its token
            code = reads[who]
            if (who.team_id, code) not in drawn:
                drawn[who.team_id, code] = build(views[item.shift.id, who.team_id], language(code))
            build_dm = constant(drawn[who.team_id, code])
            key = str(item.shift.id)
            if who.team_id == schedule.team_id:
                pacer.wait(who.user_id)
                result = deliver_once(
                    deps,
                    client,
                    team_id=who.team_id,
                    kind=kind,
                    channel=who.user_id,
                    key=key,
                    build=build_dm,
                    expires_at=expires_at,
                )
            else:
                result = owe_elsewhere(
                    deps,
                    team_id=who.team_id,
                    kind=kind,
                    channel=who.user_id,
                    key=key,
                    build=build_dm,
                    expires_at=expires_at,
                )
                if result.fate == Fate.HANDED and result.delivery_id is not None:
                    handed.setdefault(who.team_id, []).append(result.delivery_id)
                    continue
            outcome.add(result, schedule.timezone)
    for team, delivery_ids in handed.items():
        try:
            sending = hand_over(deps, team, delivery_ids)
        except LanesClosed:  # the process is stopping: they stay owed, for that workspace's run
            logger.info("%d message(s) left owed to %s: its lane is shut down", len(delivery_ids), team)
            continue
        outcome.elsewhere.append(Handed(len(delivery_ids), sending, schedule.timezone))


def send_weekly_digest(
    deps: Deps, client: WebClient, pacer: Pacer, schedule: StateSchedule, day: date, now: datetime
) -> Outcome:
    """Monday: last week's fill, no-shows and totals against goals, with a chart, for the state's
    leads: in its leads channel, else to each coordinator by DM. The chart is a delivery of its
    own that follows the digest (`bot.slack.uploads`); it counts in the outcome only when Slack
    did not take it."""
    outcome = Outcome()
    last = day - timedelta(days=1)
    with deps.read_session() as session:
        digest = weekly_digest(session, team_id=schedule.team_id, state=schedule.state, last=last)
        targets = leads_targets(session, team_id=schedule.team_id, code=schedule.state)
        reads = readers_languages(session, team_id=schedule.team_id, state=schedule.state, targets=targets)
    if not targets:
        outcome.notes.append(
            f"{schedule.state} has no leads channel and no coordinators to send the weekly digest to."
        )
        return outcome
    # Drawn once per language, and only if a chart goes out: drawing takes a while.
    drawn: dict[str, bytes] = {}

    def drawer(lang: Lang) -> Callable[[], bytes]:
        def draw() -> bytes:
            if lang.code not in drawn:
                drawn[lang.code] = weekly_chart(digest, lang)
            return drawn[lang.code]

        return draw

    until = useful_until(schedule, Job.WEEKLY, day)
    for target in targets:
        pacer.wait(target)
        lang = language(reads[target])
        reply = build_weekly_digest(digest, lang)
        result = deliver_once(
            deps,
            client,
            team_id=schedule.team_id,
            kind=DeliveryKind.WEEKLY,
            channel=target,
            key=weekly_key(schedule.state, last),
            build=constant(reply),
            expires_at=until,
        )
        outcome.add(result, schedule.timezone)
        chart = deliver_chart(
            deps,
            client,
            team_id=schedule.team_id,
            user_id=target,
            state=schedule.state,
            last=last,
            title=reply.text[:100],
            expires_at=until,
            lang=lang,
            draw=drawer(lang),
        )
        if chart.fate in (Fate.RETRYING, Fate.FAILED):
            outcome.add(chart, schedule.timezone)
    return outcome
