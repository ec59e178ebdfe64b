"""Real `turnout scheduler` processes: two on one PostgreSQL post a due digest exactly once."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import create_db_engine, session_factory, upgrade
from bot.localslack.webapi import LocalSlack
from bot.services.clock import utcnow
from bot.services.organizations import seen
from bot.services.states import ensure_state
from tests.conftest import BOT_TOKEN, bot_env
from tests.factories import TEAM


# Every scheduler on a database contends for one advisory lock: under xdist (--dist loadgroup)
# the tests that take it run on one worker, one after the other.
@pytest.mark.xdist_group("scheduler-leadership")
@pytest.mark.postgresql
def test_two_scheduler_processes_post_once(postgres_url: str, tmp_path: Path) -> None:
    db_url = postgres_url
    upgrade(db_url)
    engine = create_db_engine(db_url)
    write, _ = session_factory(engine)
    due = (datetime.now(UTC) - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    with write() as session:
        seen(session, team_id=TEAM, name="Turnout", now=utcnow())  # as `turnout run` records it
        state = ensure_state(session, team_id=TEAM, code="IA", now=utcnow())
        state.channel_id, state.timezone, state.morning_at = "CIOWA", "Etc/UTC", due
        session.add(state)
    engine.dispose()
    slack = LocalSlack(token=BOT_TOKEN).start()
    slack.add_channel("CIOWA", "iowa")
    # As an admin would write it; Turnout picks the psycopg driver itself.
    env = {**bot_env(slack, db_url.replace("postgresql+psycopg", "postgresql")), "LOG_LEVEL": "INFO"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "scheduler"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not slack.posts_in("CIOWA"):
            time.sleep(0.2)
        time.sleep(2)  # time for a second, wrong post to show up if one were coming
        posts = [m for m in slack.posts_in("CIOWA") if "Good morning" in m.text]
        assert len(posts) == 1
    finally:
        for process in processes:
            process.terminate()
        logs = b"".join(p.communicate(timeout=10)[0] for p in processes).decode()
        slack.stop()
    assert logs.count("this process is now the active scheduler") == 1, logs


def test_a_scheduler_told_to_stop_exits_cleanly(tmp_path: Path) -> None:
    """A restart's SIGTERM stops `turnout scheduler` the way Ctrl-C does: it exits cleanly,
    through the path that records as owed the channel-post redraws still waiting their turn in
    it (what that records: `owe_pending_redraws`, in tests/slack/test_owed_redraws.py)."""
    db_url = f"sqlite:///{tmp_path / 'turnout.db'}"
    upgrade(db_url)
    slack = LocalSlack(token=BOT_TOKEN).start()
    env = {**bot_env(slack, db_url), "LOG_LEVEL": "INFO"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(line.decode() for line in process.stdout or ()))
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("executed successfully" in line for line in lines):
            time.sleep(0.1)  # its first tick is over
        process.terminate()
        process.wait(timeout=30)
    finally:
        process.kill()
        reader.join(timeout=10)
        slack.stop()
    logs = "".join(lines)
    assert process.returncode == 0, logs
    assert "Turnout's scheduler stopped" in logs and "Traceback" not in logs, logs
