"""The `turnout` command as an operator meets it: starting against Slack, and the jobs listing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.cli import main as cli
from bot.config import Settings
from bot.db import create_db_engine, session_factory, upgrade
from bot.localslack.webapi import LocalSlack
from bot.services.clock import utcnow
from bot.services.organizations import seen
from bot.services.states import ensure_state
from tests.conftest import BOT_TOKEN, bot_env
from tests.factories import TEAM


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    stand_in = LocalSlack(token=BOT_TOKEN).start()
    stand_in.add_channel("CIOWA", "iowa")
    yield stand_in
    stand_in.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def turnout(env: dict[str, str], *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_wrong_token_stops_the_start_with_one_line(tmp_path: Path, slack: LocalSlack, command: str) -> None:
    env = {
        **bot_env(slack, f"sqlite:///{tmp_path / 't.db'}"),
        "SLACK_BOT_TOKEN": "xoxb-wrong",
        "PORT": str(free_port()),
    }
    result = turnout(env, command)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "Turnout cannot start: auth.test said invalid_auth (check SLACK_BOT_TOKEN)"
    )
    assert "Traceback" not in result.stderr and "Worker failed to boot" not in result.stderr


@pytest.mark.parametrize("command", ["run", "serve"])
def test_an_unreachable_slack_stops_the_start_with_one_line(tmp_path: Path, command: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}/api/"
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": closed,
        "DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}",
        "LOG_LEVEL": "WARNING",
        "PORT": str(free_port()),
    }
    result = turnout(env, command)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"Turnout cannot start: cannot reach SLACK_API_URL {closed}: connection refused"
    )


def test_a_good_token_passes_the_start_check(slack: LocalSlack) -> None:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack.api_url)
    assert cli.check_slack(settings) == (None, cli.Workspace("T0TURNOUT", "Turnout Local"))
    assert [c.method for c in slack.calls] == ["auth.test"]


def test_starting_records_the_workspace_as_the_campaigns_organization(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    settings = Settings(database_url=url)
    workspace = cli.Workspace("T0TURNOUT", "Turnout Local")
    assert cli.remember_workspace(settings, workspace) == (
        "Turnout cannot start: its database is not ready (run `turnout db upgrade`): OperationalError"
    )
    upgrade(url)
    assert cli.remember_workspace(settings, workspace) is None
    engine = create_db_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT team_id, name, uninstalled_at FROM organization")).all()
    engine.dispose()
    assert rows == [("T0TURNOUT", "Turnout Local", None)]


@pytest.fixture
def bound(tmp_path: Path, slack: LocalSlack) -> dict[str, str]:
    """IA posts in #iowa (known to Slack); NH in a channel Slack no longer knows."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    write, _ = session_factory(engine)
    with write() as session:
        seen(session, team_id=TEAM, name="Turnout Local", now=utcnow())  # as `turnout run` records it
        for code, channel in (("IA", "CIOWA"), ("NH", "CGONE")):
            state = ensure_state(session, team_id=TEAM, code=code, now=utcnow())
            state.channel_id = channel
            session.add(state)
    engine.dispose()
    env = bot_env(slack, url)
    del env["SLACK_SIGNING_SECRET"]
    return env


def test_jobs_list_needs_no_signing_secret_and_names_channels(bound: dict[str, str]) -> None:
    listed = turnout(bound, "jobs", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(
        line.startswith("IA") and "morning" in line and line.endswith("#iowa (CIOWA)") for line in lines
    )
    assert any(line.startswith("NH") and "morning" in line and line.endswith("CGONE") for line in lines)


def test_the_scheduler_needs_no_signing_secret_but_serve_does(
    bound: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in bound.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    started: list[Settings] = []
    monkeypatch.setattr(cli, "scheduler", lambda settings: started.append(settings) or 0)
    monkeypatch.setattr(cli, "load_dotenv", lambda: None)
    assert cli.main(["scheduler"]) == 0 and len(started) == 1
    refused = turnout(bound, "serve")
    assert refused.returncode == 2 and "SLACK_SIGNING_SECRET is missing" in refused.stderr
