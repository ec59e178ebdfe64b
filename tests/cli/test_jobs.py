"""`turnout jobs list` and `turnout jobs run`, as an admin runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.jobs import jobs_list
from bot.db import create_db_engine, session_factory, upgrade
from bot.localslack.reading import message_text
from bot.localslack.webapi import LocalSlack
from bot.services.clock import utcnow
from bot.services.organizations import seen
from bot.services.states import ensure_state
from tests.conftest import BOT_TOKEN, Coalition, bot_env
from tests.factories import TEAM

# A morning two days ahead of the real clock: a job run `--at` a moment the clock has passed
# may find its post no longer worth sending, as it should.
DAY = (utcnow() + timedelta(days=2)).date().isoformat()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[LocalSlack, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    write, _ = session_factory(engine)
    with write() as session:
        seen(session, team_id=TEAM, name="Turnout", now=utcnow())  # as `turnout run` records it
        state = ensure_state(session, team_id=TEAM, code="IA", now=utcnow())
        state.channel_id = "CIOWA"
        session.add(state)
    engine.dispose()
    slack = LocalSlack(token=BOT_TOKEN).start()
    slack.add_channel("CIOWA", "iowa")
    env = bot_env(slack, url)
    yield slack, env
    slack.stop()


def turnout(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_jobs_run_posts_once_and_says_so(setup: tuple[LocalSlack, dict[str, str]]) -> None:
    slack, env = setup
    first = turnout(env, "jobs", "run", "morning", "--state", "IA", "--at", f"{DAY}T09:00")
    assert first.returncode == 0 and "morning: sent 1, already done 0" in first.stdout, first.stderr
    (post,) = slack.posts_in("CIOWA")
    assert "Good morning, Iowa" in message_text(post)
    again = turnout(env, "jobs", "run", "morning", "--state", "ia", "--at", f"{DAY}T10:30")
    assert again.returncode == 0 and "sent 0, already done 1" in again.stdout
    assert len(slack.posts_in("CIOWA")) == 1


def test_jobs_run_refuses_what_it_cannot_do(setup: tuple[LocalSlack, dict[str, str]]) -> None:
    _, env = setup
    bad_time = turnout(env, "jobs", "run", "evening", "--at", "tomorrow-ish")
    assert bad_time.returncode == 1 and "--at must be an ISO time" in bad_time.stderr
    unknown = turnout(env, "jobs", "run", "evening", "--state", "NH")
    assert unknown.returncode == 1 and "NH has no settings yet" in unknown.stderr
    bad_job = turnout(env, "jobs", "run", "brunch")
    assert bad_job.returncode == 2 and "invalid choice" in bad_job.stderr
    assert "Traceback" not in bad_time.stderr + unknown.stderr + bad_job.stderr


def test_jobs_list_shows_next_runs_in_local_time(setup: tuple[LocalSlack, dict[str, str]]) -> None:
    _, env = setup
    listed = turnout(env, "jobs", "list")
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert any(
        line.startswith("IA") and "morning" in line and "09:00 C" in line and "CIOWA" in line
        for line in lines
    )
    assert any("weekly" in line and line.split()[2] == "Mon" for line in lines)
    assert any("reminders" in line and "120 min before" in line for line in lines)


def test_jobs_run_says_when_slack_refused_and_exits_1(setup: tuple[LocalSlack, dict[str, str]]) -> None:
    slack, env = setup
    slack.fail_next("chat.postMessage", 500, times=4, retry_after=None)
    failed = turnout(env, "jobs", "run", "morning", "--state", "IA", "--at", f"{DAY}T09:00")
    assert failed.returncode == 1, failed.stdout
    assert (
        "morning: 1 failed (Slack answered 500 fatal_error); "
        "it will be retried by the scheduler until 11:00 CST" in failed.stdout
    ), failed.stdout
    assert slack.posts_in("CIOWA") == []
    tries = len(slack.calls_to("chat.postMessage"))
    # Run again at once: the retry is not due yet (backoff), so Slack is not asked again.
    again = turnout(env, "jobs", "run", "morning", "--state", "IA", "--at", f"{DAY}T09:00")
    assert again.returncode == 1 and "1 failed" in again.stdout and "retried by the scheduler" in again.stdout
    assert len(slack.calls_to("chat.postMessage")) == tries


def test_jobs_run_for_one_workspace_and_refuses_one_it_does_not_post_in(
    setup: tuple[LocalSlack, dict[str, str]],
) -> None:
    slack, env = setup
    ran = turnout(env, "jobs", "run", "morning", "--team", TEAM, "--at", f"{DAY}T09:00")
    assert ran.returncode == 0 and "morning: sent 1, already done 0" in ran.stdout, ran.stderr
    other = turnout(env, "jobs", "run", "morning", "--team", "T0ELSEWHERE")
    assert other.returncode == 1
    assert (
        f"Turnout does not post in workspace T0ELSEWHERE: it is not installed there (it posts in {TEAM}"
        in (other.stderr)
    )
    unbound = turnout(env, "jobs", "run", "morning", "--team", "T0ELSEWHERE", "--state", "IA")
    assert unbound.returncode == 1 and "IA has no settings yet in T0ELSEWHERE" in unbound.stderr
    assert len(slack.posts_in("CIOWA")) == 1
    assert "Traceback" not in other.stderr + unbound.stderr


def test_jobs_list_names_each_workspace_and_its_channels_with_its_own_token(
    coalition: Coalition, capsys: pytest.CaptureFixture[str]
) -> None:
    deps, slack = coalition.bot.deps, coalition.bot.slack
    with deps.session() as session:
        for team, channel in ((coalition.a, "CSUNIA"), (coalition.b, "CMTRIA")):
            state = ensure_state(session, team_id=team, code="IA", now=utcnow())
            state.channel_id = channel
            session.add(state)
    settings = replace(deps.settings, database_url=deps.engine.url.render_as_string(hide_password=False))
    assert jobs_list(settings) == 0
    listed = capsys.readouterr().out
    mtr, sunrise = listed.split("Sunrise (T0SUNRISE)\n")  # in workspace id order
    assert mtr.startswith("Make the Road (T0MTR)\n")
    assert any(
        line.startswith("IA") and "morning" in line and "#iowa (CSUNIA)" in line
        for line in sunrise.splitlines()
    )
    assert any(
        line.startswith("IA") and "morning" in line and "#iowa (CMTRIA)" in line for line in mtr.splitlines()
    )
    asked = {(c.team, c.params.get("channel")) for c in slack.calls_to("conversations.info")}
    assert asked == {(coalition.a, "CSUNIA"), (coalition.b, "CMTRIA")}

    coalition.bot.driver.uninstall(coalition.b)
    before = len(slack.calls)
    assert jobs_list(settings) == 0
    listed = capsys.readouterr().out
    assert "Make the Road (T0MTR): uninstalled, nothing is posted there" in listed
    assert "#iowa (CMTRIA)" not in listed and "#iowa (CSUNIA)" in listed
    assert {c.team for c in slack.calls[before:]} == {coalition.a}
