"""One workspace's Slack never holds up another's posts: each workspace's scheduled work runs
on its own lane, and a scheduler tick returns without waiting for any of it.

`slow` is Make the Road (T0MTR), whose id sorts first: run one workspace after another, its
troubles would hold up Sunrise's posts behind it. Each test measures that Sunrise's morning
post goes out while Make the Road's lane is still waiting on Slack."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.deps import Deps
from bot.localslack.reading import message_text
from bot.models import Organization, State
from bot.services.schedule import Job
from bot.services.states import ensure_state
from bot.slack.client import make_client
from bot.slack.lanes import TeamLanes
from bot.slack.workspaces import InstalledWorkspaces
from jobs.runner import SCHEDULED_RUN, run_due, run_job, submit_due
from jobs.scheduler import Leadership, tick
from tests.conftest import Coalition
from tests.handlers.test_shared_shifts import set_up, settle

CHANNELS = {"T0SUNRISE": "CSUNIA", "T0MTR": "CMTRIA"}
# Long enough to tell "went out while the other lane waited" from "went out after it".
PATIENCE = 10.0


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Chicago")).astimezone(UTC)


NINE = local("2026-11-24T09:00")


class Leading(Leadership):
    """This process leads (the advisory lock has its own tests)."""

    def held(self) -> bool:
        return True


def bind_iowa(deps: Deps, now: datetime) -> None:
    """Each organization posts Iowa's mornings in its own #iowa."""
    with deps.session() as session:
        for team, channel in CHANNELS.items():
            state = ensure_state(session, team_id=team, code="IA", now=now)
            state.channel_id = channel
            session.add(state)


def mornings(coalition: Coalition, team: str) -> list[str]:
    posts = coalition.bot.slack.posts_in(CHANNELS[team])
    return [message_text(m) for m in posts if "Good morning" in message_text(m)]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> float:
    """Seconds until `condition` held; fails after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.02)
    return time.monotonic() - started


class PatientRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's own 429 handling, which waits out Retry-After on the calling thread; here the
    wait can be cut short when the test is done, and how long it was told to wait is kept."""

    def __init__(self, released: threading.Event, told: list[float]) -> None:
        super().__init__(max_retry_count=5)
        self.released, self.told = released, told

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        retry_after = next(v for k, v in response.headers.items() if k.lower() == "retry-after")
        self.told.append(float(retry_after[0]))
        state.next_attempt_requested = True
        self.released.wait(timeout=float(retry_after[0]))
        state.increment_current_attempt()


@pytest.fixture
def patient(coalition: Coalition) -> Any:
    """Deps whose clients wait out a 429 on an event the test releases (Turnout's client otherwise)."""
    released, told = threading.Event(), []
    deps = coalition.bot.deps

    def client_for(token: str) -> WebClient:
        client = make_client(deps.settings, token=token)
        client.retry_handlers = [
            h for h in client.retry_handlers if not isinstance(h, RateLimitErrorRetryHandler)
        ] + [PatientRateLimitHandler(released, told)]
        return client

    assert deps.installations is not None
    patient_deps = replace(deps, workspaces=InstalledWorkspaces(deps.installations, client_for))
    yield patient_deps, released, told
    released.set()
    patient_deps.lanes.wait_idle()


def test_a_workspace_answering_429_holds_up_only_itself(coalition: Coalition, patient: Any) -> None:
    deps, released, told = patient
    slow, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    coalition.bot.slack.fail_next("chat.postMessage", 429, retry_after=30, team=slow)
    coalition.bot.clock.now = NINE
    started = time.monotonic()
    tick(deps, Leading(deps))
    assert time.monotonic() - started < 2.0  # the tick hands the work over and returns
    wait_for(lambda: len(mornings(coalition, fine)) == 1, "Sunrise's morning post")
    wait_for(lambda: told == [30.0], "Make the Road's lane to be told to wait 30 s")
    # Sunrise's post is out in the same tick while Make the Road's lane still waits out Retry-After.
    wait_for(lambda: not deps.lanes.running(fine, SCHEDULED_RUN), "Sunrise's run to finish")
    assert deps.lanes.running(slow, SCHEDULED_RUN) and mornings(coalition, slow) == []
    released.set()
    deps.lanes.wait_idle()
    assert len(mornings(coalition, slow)) == 1 and len(mornings(coalition, fine)) == 1


def test_a_tick_leaves_out_a_workspace_still_busy_from_the_last_one(
    coalition: Coalition, patient: Any
) -> None:
    deps, released, _told = patient
    slow, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    coalition.bot.slack.fail_next("chat.postMessage", 429, retry_after=30, team=slow)
    coalition.bot.clock.now = NINE
    first = submit_due(deps, NINE)
    assert sorted(first) == sorted([slow, fine])
    first[fine].result(timeout=PATIENCE)
    wait_for(lambda: len(coalition.bot.slack.calls_to("chat.postMessage", team=slow)) == 1, "the 429")
    # Thirty seconds later Make the Road still waits: only Sunrise is run again.
    coalition.bot.clock.now = NINE + timedelta(seconds=30)
    assert sorted(submit_due(deps, coalition.bot.clock.now)) == [fine]
    released.set()
    deps.lanes.wait_idle()
    coalition.bot.clock.now = NINE + timedelta(seconds=60)
    assert sorted(submit_due(deps, coalition.bot.clock.now)) == sorted([slow, fine])
    deps.lanes.wait_idle()
    assert len(mornings(coalition, slow)) == 1 and len(mornings(coalition, fine)) == 1


def test_a_tick_as_the_scheduler_stops_leaves_its_runs_for_the_next_and_raises_nothing(
    coalition: Coalition, caplog: pytest.LogCaptureFixture
) -> None:
    """A tick under way when the scheduler is told to stop finds the lanes shut down: what it
    had not handed them is due again at the next scheduler's tick, nothing is posted now, and
    no traceback is logged."""
    deps = replace(coalition.bot.deps, lanes=TeamLanes())
    bind_iowa(deps, coalition.bot.clock())
    deps.lanes.shutdown(wait=True, cancel_waiting=True)
    coalition.bot.clock.now = NINE
    with caplog.at_level("INFO"):
        assert submit_due(deps, NINE) == {}
    assert "the scheduler is stopping" in caplog.text
    assert not [record for record in caplog.records if record.exc_info]
    assert coalition.bot.slack.calls_to("chat.postMessage") == []
    # The next scheduler posts each workspace's morning, once.
    after = replace(deps, lanes=TeamLanes())
    try:
        submit_due(after, NINE)
        after.lanes.wait_idle()
    finally:
        after.lanes.shutdown()
    assert len(mornings(coalition, coalition.a)) == 1 and len(mornings(coalition, coalition.b)) == 1


def test_a_workspace_whose_slack_is_slow_holds_up_only_itself(coalition: Coalition) -> None:
    deps, slack = coalition.bot.deps, coalition.bot.slack
    slow, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    slack.delay_next("chat.postMessage", seconds=5, team=slow)
    coalition.bot.clock.now = NINE
    tick(deps, Leading(deps))
    wait_for(lambda: len(mornings(coalition, fine)) == 1, "Sunrise's morning post")
    # Out while Make the Road's post still waits for Slack's answer.
    assert deps.lanes.running(slow, SCHEDULED_RUN)
    deps.lanes.wait_idle()
    assert len(mornings(coalition, slow)) == 1 and len(mornings(coalition, fine)) == 1


def test_an_uninstalled_workspace_gets_nothing_and_keeps_its_rows(coalition: Coalition) -> None:
    deps, slack = coalition.bot.deps, coalition.bot.slack
    gone, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    revoked = slack.token_for(gone)
    coalition.bot.driver.uninstall(gone)
    after = len(slack.calls)
    coalition.bot.clock.now = NINE
    tick(deps, Leading(deps))
    deps.lanes.wait_idle()
    assert len(mornings(coalition, fine)) == 1 and mornings(coalition, gone) == []
    assert [c.method for c in slack.calls[after:] if c.token == revoked or c.team == gone] == []
    with deps.read_session() as session:
        org = session.get(Organization, gone)
        assert org is not None and org.uninstalled_at is not None
        state = session.get(State, (gone, "IA"))
        assert state is not None and state.channel_id == CHANNELS[gone]


def test_a_workspace_whose_token_slack_revoked_unseen_holds_up_no_one(coalition: Coalition) -> None:
    """Slack revoked the token but its events were lost: that workspace's posts fail, alone."""
    deps, slack = coalition.bot.deps, coalition.bot.slack
    gone, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    slack.uninstall(gone)
    coalition.bot.clock.now = NINE
    outcome = run_due(deps, NINE)
    assert len(mornings(coalition, fine)) == 1 and mornings(coalition, gone) == []
    assert outcome.sent >= 1 and outcome.failed == 1
    assert any("token_revoked" in failure for failure in outcome.failures)


def test_a_restart_mid_run_still_posts_each_workspace_once(coalition: Coalition) -> None:
    """A process's lane is stuck sending Make the Road's post when a second process (a restart,
    or a standby that took over) ticks: every post still goes out exactly once, per workspace."""
    deps, slack = coalition.bot.deps, coalition.bot.slack
    slow, fine = coalition.b, coalition.a
    bind_iowa(deps, coalition.bot.clock())
    slack.delay_next("chat.postMessage", seconds=2, team=slow)
    clock = coalition.bot.clock
    clock.now = NINE
    first = submit_due(deps, NINE)
    first[fine].result(timeout=PATIENCE)
    wait_for(lambda: len(slack.calls_to("chat.postMessage", team=slow)) == 1, "Make the Road's post")
    restarted = replace(deps, lanes=TeamLanes())
    try:
        clock.now = NINE + timedelta(seconds=30)
        again = run_due(restarted, clock.now)
        assert again.sent == 0  # Sunrise's is sent, and Make the Road's claimed by the first run
        first[slow].result(timeout=PATIENCE)
        clock.now = NINE + timedelta(minutes=6)  # past any claim's staleness
        later = run_due(restarted, clock.now)
    finally:
        restarted.lanes.shutdown()
    assert later.sent == 0
    assert len(mornings(coalition, slow)) == 1 and len(mornings(coalition, fine)) == 1


def test_a_job_run_by_hand_runs_in_every_workspace_or_the_one_named(coalition: Coalition) -> None:
    deps = coalition.bot.deps
    bind_iowa(deps, coalition.bot.clock())
    coalition.bot.clock.now = NINE
    only = run_job(deps, Job.MORNING, "IA", NINE, team_id=coalition.a)
    assert only.sent == 1 and mornings(coalition, coalition.b) == []
    both = run_job(deps, Job.MORNING, "IA", NINE, team_id=None)
    assert (both.sent, both.skipped) == (1, 1)
    assert len(mornings(coalition, coalition.a)) == 1 and len(mornings(coalition, coalition.b)) == 1


def test_a_state_bound_in_one_workspace_is_run_there_without_a_note_from_the_other(
    coalition: Coalition,
) -> None:
    deps = coalition.bot.deps
    with deps.session() as session:
        state = ensure_state(session, team_id=coalition.a, code="NH", now=coalition.bot.clock())
        state.channel_id = CHANNELS[coalition.a]
        session.add(state)
    coalition.bot.clock.now = NINE
    done = run_job(deps, Job.MORNING, "NH", NINE, team_id=None)
    assert done.sent == 1 and done.notes == []
    with deps.engine.connect() as connection:
        teams = connection.execute(sa.text("SELECT DISTINCT team_id FROM delivery")).scalars().all()
    assert teams == [coalition.a]


# ------------------------------------------------ a shared shift's DMs to another workspace's people

# Sunrise's shared shift #1 (Saturday 10:00–13:00, Iowa) reminds its people from 08:00; at 08:30
# nothing else is due in either workspace.
REMINDING = local("2026-11-28T08:30")


def shared_shift_with_ben_and_eva(coalition: Coalition) -> None:
    """Sunrise shares shift #1; Ben (Sunrise) and Eva (Make the Road) claim it."""
    bot = coalition.bot
    set_up(coalition)
    assert "You're on" in bot.command("/claim", "1", user="USUNBEN", channel="CSUNIA").text
    assert "You're on" in bot.command("/claim", "1", user="UMTREVA", channel="CMTRIA").text
    settle(bot)


def reminders_to(coalition: Coalition, user: str) -> list[Any]:
    return [
        m
        for m in coalition.bot.slack.dms_to(user)
        if m.metadata and m.metadata["event_payload"]["key"].startswith("reminder:")
    ]


def reminder_rows(deps: Deps) -> list[tuple[str, str, str, int]]:
    with deps.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT team_id, target, status, attempts FROM delivery "
                "WHERE kind = 'reminder' ORDER BY team_id, target"
            )
        )
        return [(r.team_id, r.target, str(r.status).lower(), r.attempts) for r in rows]


def test_a_reminder_owed_to_another_workspace_answering_429_waits_on_that_workspace_alone(
    coalition: Coalition, patient: Any
) -> None:
    """Sunrise's run reminds Ben and owes Eva her reminder; Make the Road's Slack answers 429
    with Retry-After 30. Sunrise's run (Ben's reminder, its at-risk post) is done at once and
    the next tick runs it again; Eva's reminder waits on Make the Road's lane, and reaches her
    once, with Make the Road's token, when its Slack answers again."""
    deps, released, told = patient
    bot = coalition.bot
    shared_shift_with_ben_and_eva(coalition)
    bot.slack.fail_next("chat.postMessage", 429, retry_after=30, team=coalition.b)
    bot.clock.now = REMINDING
    started = time.monotonic()
    tick(deps, Leading(deps))
    assert time.monotonic() - started < 2.0
    wait_for(lambda: len(reminders_to(coalition, "USUNBEN")) == 1, "Ben's reminder")
    wait_for(lambda: told == [30.0], "Make the Road's lane to be told to wait 30 s")
    wait_for(lambda: not deps.lanes.running(coalition.a, SCHEDULED_RUN), "Sunrise's run to finish")
    assert reminders_to(coalition, "UMTREVA") == []
    # A minute later Make the Road still waits: Sunrise's run is started again and done again.
    bot.clock.now = REMINDING + timedelta(minutes=1)
    again = submit_due(deps, bot.clock.now)
    assert again[coalition.a].result(timeout=PATIENCE).failed == 0
    assert reminders_to(coalition, "UMTREVA") == [] and told == [30.0]
    released.set()
    deps.lanes.wait_idle()
    bot.clock.now = REMINDING + timedelta(minutes=2)
    submit_due(deps, bot.clock.now)
    deps.lanes.wait_idle()
    assert len(reminders_to(coalition, "USUNBEN")) == 1
    (eva,) = reminders_to(coalition, "UMTREVA")
    assert eva.team == coalition.b and "<@USUN" not in str(eva.blocks)
    assert reminder_rows(deps) == [
        (coalition.b, "UMTREVA", "sent", 1),
        (coalition.a, "USUNBEN", "sent", 1),
    ]


def test_a_reminder_owed_to_another_workspace_whose_slack_is_slow_holds_up_only_it(
    coalition: Coalition,
) -> None:
    deps, slack = coalition.bot.deps, coalition.bot.slack
    shared_shift_with_ben_and_eva(coalition)
    slack.delay_next("chat.postMessage", seconds=5, team=coalition.b)
    coalition.bot.clock.now = REMINDING
    started = submit_due(deps, REMINDING)
    started[coalition.a].result(timeout=PATIENCE)
    assert len(reminders_to(coalition, "USUNBEN")) == 1
    # Sunrise's run is done while Make the Road's lane still waits for Slack to answer Eva's.
    assert deps.lanes.busy(coalition.b)
    deps.lanes.wait_idle()
    assert len(reminders_to(coalition, "UMTREVA")) == 1
    assert reminder_rows(deps) == [
        (coalition.b, "UMTREVA", "sent", 1),
        (coalition.a, "USUNBEN", "sent", 1),
    ]


def test_a_run_by_hand_counts_the_reminders_sent_in_another_workspace(coalition: Coalition) -> None:
    """`turnout jobs run reminders --team` Sunrise waits for Eva's reminder on Make the Road's
    lane and counts it; run again, both are found sent."""
    deps = coalition.bot.deps
    shared_shift_with_ben_and_eva(coalition)
    coalition.bot.clock.now = REMINDING
    done = run_job(deps, Job.REMINDERS, "IA", REMINDING, team_id=coalition.a)
    assert (done.sent, done.failed) == (3, 0), done  # Ben, Eva, and Sunrise's at-risk post
    assert [m.team for m in reminders_to(coalition, "UMTREVA")] == [coalition.b]
    again = run_job(deps, Job.REMINDERS, "IA", REMINDING, team_id=coalition.a)
    assert (again.sent, again.skipped, again.failed) == (0, 3, 0), again


def test_a_reminder_owed_to_an_uninstalled_workspace_is_sent_with_no_token(coalition: Coalition) -> None:
    """Make the Road uninstalled after Eva claimed: Sunrise's run reminds Ben, sends nothing to
    Eva with any token and records nothing for her (as for any message to an uninstalled
    workspace); Make the Road's rows are kept."""
    deps, slack = coalition.bot.deps, coalition.bot.slack
    shared_shift_with_ben_and_eva(coalition)
    revoked = slack.token_for(coalition.b)
    coalition.bot.driver.uninstall(coalition.b)
    after = len(slack.calls)
    coalition.bot.clock.now = REMINDING
    outcome = run_due(deps, REMINDING)
    assert len(reminders_to(coalition, "USUNBEN")) == 1 and reminders_to(coalition, "UMTREVA") == []
    assert [c.method for c in slack.calls[after:] if c.token == revoked or c.team == coalition.b] == []
    assert [c for c in slack.calls[after:] if "UMTREVA" in str(c.params)] == []
    assert outcome.failed == 1 and any(f"not installed in {coalition.b}" in f for f in outcome.failures)
    assert reminder_rows(deps) == [(coalition.a, "USUNBEN", "sent", 1)]
    with deps.read_session() as session:
        assert session.get(State, (coalition.b, "IA")) is not None


def test_a_reminder_owed_to_a_workspace_uninstalled_meanwhile_stays_owed(coalition: Coalition) -> None:
    """Eva's reminder was recorded and Make the Road's Slack did not take it; Make the Road
    uninstalls before it is tried again: no later tick sends it with any token, and it stays owed
    (kept, as every row of an uninstalled workspace is)."""
    deps, slack = coalition.bot.deps, coalition.bot.slack
    shared_shift_with_ben_and_eva(coalition)
    slack.fail_next("chat.postMessage", 200, error="internal_error", team=coalition.b)
    coalition.bot.clock.now = REMINDING
    run_due(deps, REMINDING)
    assert [(t, s) for t, _u, s, _a in reminder_rows(deps)] == [(coalition.b, "retry"), (coalition.a, "sent")]
    revoked = slack.token_for(coalition.b)
    coalition.bot.driver.uninstall(coalition.b)
    after = len(slack.calls)
    for minutes in (5, 20):
        coalition.bot.clock.now = REMINDING + timedelta(minutes=minutes)
        submit_due(deps, coalition.bot.clock.now)
        deps.lanes.wait_idle()
    assert [c for c in slack.calls[after:] if c.token == revoked or "UMTREVA" in str(c.params)] == []
    assert [(t, s) for t, _u, s, _a in reminder_rows(deps)] == [(coalition.b, "retry"), (coalition.a, "sent")]
