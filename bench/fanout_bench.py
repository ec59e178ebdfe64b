"""Reminder fan-out against Slack's rate limits: nothing lost, nothing twice, near the floor.

    python -m bench.fanout_bench                  # 10,000 reminder DMs, workspace cap 100/s
    python -m bench.fanout_bench --dms 2000 --cap 50

Builds a SQLite campaign with `--dms` volunteers confirmed on shifts that start within the
reminder window, and a local Slack stand-in that allows one message a second per channel and
`--cap` messages a second across the workspace, answering 429 with Retry-After past that.
It then runs the real reminders job twice, side by side:

- `paced`: as the bot runs it, with its pacer set just under the cap;
- `unpaced` (baseline): the same job with pacing off, leaning on 429s and slack_sdk's retries.

For each it prints DMs delivered, people missed, people messaged twice, 429s seen, and the
elapsed time against the floor the limits impose (`dms / cap` seconds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel

from bot import models  # noqa: F401  (registers the tables)
from bot.config import Settings
from bot.db import create_db_engine
from bot.deps import make_deps
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.models import Organization, Shift, ShiftKind, Signup, SignupStatus, State, Volunteer
from bot.services.schedule import schedule_for
from bot.slack.client import make_client
from bot.slack.pacing import Pacer
from jobs.posts import send_reminders

TOKEN = "xoxb-bench"
PEOPLE_PER_SHIFT = 100
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def build(path: Path, dms: int) -> str:
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Organization(team_id=TEAM_ID, name="Turnout", installed_at=NOW, created_at=NOW))
        session.flush()
        session.add(State(team_id=TEAM_ID, code="IA", timezone="America/Chicago", created_at=NOW))
        session.flush()
        shifts = []
        for n in range(-(-dms // PEOPLE_PER_SHIFT)):
            shift = Shift(
                team_id=TEAM_ID,
                state="IA",
                kind=ShiftKind.PHONEBANK,
                starts_at=NOW + timedelta(minutes=30 + n % 60),
                ends_at=NOW + timedelta(hours=3),
                location="https://call.example.org",
                capacity=PEOPLE_PER_SHIFT,
                created_by="UADMIN",
                created_at=NOW,
            )
            session.add(shift)
            shifts.append(shift)
        session.flush()
        session.add_all(
            [
                Volunteer(
                    team_id=TEAM_ID,
                    id=f"UF{n:06d}",
                    display_name=f"f{n}",
                    created_at=NOW,
                    profile_updated_at=NOW,
                )
                for n in range(dms)
            ]
        )
        session.flush()
        for n in range(dms):
            user = f"UF{n:06d}"
            session.add(
                Signup(
                    team_id=TEAM_ID,
                    shift_id=shifts[n // PEOPLE_PER_SHIFT].id or 0,
                    volunteer_id=user,
                    status=SignupStatus.CONFIRMED,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        session.commit()
    engine.dispose()
    return url


def run(label: str, dms: int, cap: int, paced: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        url = build(Path(folder) / "fanout.db", dms)
        slack = LocalSlack(token=TOKEN).start()
        for n in range(dms):
            slack.add_person(f"UF{n:06d}", f"f{n}")
        slack.limit_posts(per_channel_interval=1.0, workspace_per_second=cap)
        settings = Settings(
            slack_bot_token=TOKEN,
            slack_signing_secret="x",
            database_url=url,
            slack_api_url=slack.api_url,
            posts_per_second=cap,
        )
        deps = make_deps(settings, clock=lambda: NOW)
        if paced:
            # Just under the cap: the stand-in counts a sliding second, so exactly `cap` would graze it.
            deps = replace(deps, make_pacer=lambda: Pacer(cap * 0.97))
        else:
            deps = replace(deps, make_pacer=lambda: Pacer(1_000_000, per_channel_interval=0))
        with deps.read_session() as session:
            schedule = schedule_for(session, team_id=TEAM_ID, code="IA")
        assert schedule is not None
        started = time.perf_counter()
        outcome = send_reminders(deps, make_client(settings), deps.make_pacer(), schedule, NOW)
        elapsed = time.perf_counter() - started
        sent_to = Counter(str(c.params.get("channel")) for c in slack.calls_to("chat.postMessage"))
        delivered = Counter(m.channel for m in slack.messages if m.channel.startswith("D"))
        slack.stop()
        deps.engine.dispose()
    floor = dms / cap
    return {
        "run": label,
        "DMs delivered": sum(delivered.values()),
        "missed": dms - len(delivered),
        "twice": sum(1 for n in delivered.values() if n > 1),
        "429s": slack.rate_limited,
        "attempts": sum(sent_to.values()),
        "elapsed s": round(elapsed, 1),
        "floor s": round(floor, 1),
        "elapsed / floor": round(elapsed / floor, 3),
        "job says sent": outcome.sent,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dms", type=int, default=10_000)
    parser.add_argument("--cap", type=int, default=100, help="workspace-wide messages per second")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unpaced baseline run")
    args = parser.parse_args(argv)
    rows = [run("paced", args.dms, args.cap, paced=True)]
    if not args.no_baseline:
        rows.append(run("unpaced", args.dms, args.cap, paced=False))
    columns = list(rows[0])
    print(f"\n{args.dms} reminder DMs; stand-in limits: 1/s per channel, {args.cap}/s per workspace\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
