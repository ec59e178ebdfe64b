"""Slack-signed slash commands at full tilt against `turnout serve`, as ratios to an ack-only app.

    python -m bench.load_bench                 # 10 s per workload, SQLite and PostgreSQL
    python -m bench.load_bench --quick         # 5 s per workload
    python -m bench.load_bench --dbs sqlite --seconds 20 --connections 50

Needs `wrk` (`apt-get install -y wrk`). For each database it starts, one after the other:

- an ack-only Bolt app (`bench/ack_only.py`) under gunicorn with the same server config as
  `turnout serve` (gthread, 2 workers × 8 threads, access log on): the baseline, run before and
  after the Turnout workloads and averaged;
- `turnout serve` itself, against the local Slack stand-in (`bot/localslack`) running in this
  process, on a fresh, migrated database with Iowa bound to #iowa, one 500-place shift and 100
  50-place shifts, each with its channel post.

Each workload is wrk with `--connections` connections replaying requests signed here just
before the run (`bench/signed_requests.lua`), every one from a different person, with its own
response_url. After wrk stops the bench waits for the work to drain, then counts what was
done: rows committed (contact logs, signups) and replies the stand-in received. It prints,
per workload: req/s as a ratio to the ack-only baseline, p50/p99 ack latency (wrk's, from
request sent to the ack received), non-200 answers, replies that say "Something went wrong",
`chat.update` calls per claim, and the gunicorn workers' CPU time (from /proc) per request.

PostgreSQL comes from TURNOUT_BENCH_POSTGRES_URL (default: the local server's `test`
database); the bench uses its own schema there, `load_bench`, dropped and made again each run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session

from bot.blocks.shifts import build_shift_post
from bot.db import create_db_engine, upgrade
from bot.localslack.webapi import LocalSlack, Message
from bot.models import Shift, ShiftKind
from bot.services.clock import utcnow
from bot.services.shifts import get_shift, record_shift_post
from bot.services.states import ensure_state

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / ".data"
LUA = Path(__file__).parent / "signed_requests.lua"
TOKEN = "xoxb-load-bench"
SECRET = "load-bench-signing-secret"
CHANNEL = "CIOWA"
SCHEMA = "load_bench"
POSTGRES_URL = os.environ.get(
    "TURNOUT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MANY_SHIFTS = 100
WORKERS, THREADS = 2, 8
SORRY = "Something went wrong"
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Workload:
    name: str
    command: str
    text: str  # `{one}` / `{many}` stand for a shift id


WORKLOADS = [
    Workload("/log 3 doors 1 convos", "/log", "3 doors 1 convos"),
    Workload("/claim one 500-place shift", "/claim", "{one}"),
    Workload("/claim 100 shifts", "/claim", "{many}"),
    Workload("/stats IA", "/stats", "IA"),
]
BASELINE = Workload("ack-only", "/log", "3 doors 1 convos")


@dataclass
class Result:
    db: str
    workload: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non200: int
    nonempty: int
    socket_errors: int
    rows: int | None = None
    replies: int | None = None
    sorry: int = 0
    updates_per_claim: float | None = None
    cpu_ms_per_request: float | None = None


# ---------------------------------------------------------------- the database


def fresh_database(db: str) -> str:
    if db == "sqlite":
        DATA.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DATA / 'load.db'}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{DATA / 'load.db'}"
    else:
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
        admin.dispose()
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{SCHEMA}"
    upgrade(url)
    return url


def seed(url: str, slack: LocalSlack) -> tuple[int, list[int]]:
    """Iowa bound to #iowa; one 500-place shift and many smaller ones, each posted in #iowa."""
    engine = create_db_engine(url)
    now = utcnow()
    starts = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    with Session(engine) as session:
        state = ensure_state(session, "IA", now=now)
        state.channel_id = CHANNEL
        session.add(state)
        shifts = [
            Shift(
                state="IA",
                kind=ShiftKind.CANVASS,
                starts_at=starts + timedelta(hours=n % 8),
                ends_at=starts + timedelta(hours=n % 8 + 3),
                location=f"Des Moines HQ, door {n}",
                capacity=500 if n == 0 else 50,
                created_by="UADMIN",
                created_at=now,
            )
            for n in range(MANY_SHIFTS + 1)
        ]
        session.add_all(shifts)
        session.flush()
        for n, shift in enumerate(shifts):
            assert shift.id is not None
            reply = build_shift_post(get_shift(session, shift.id))
            ts = f"{int(time.time())}.{n:06d}"
            with slack.lock:
                slack.messages.append(Message(CHANNEL, ts, reply.text, reply.blocks))
            record_shift_post(session, shift_id=shift.id, channel_id=CHANNEL, message_ts=ts)
        session.commit()
        ids = [s.id for s in shifts if s.id is not None]
    engine.dispose()
    return ids[0], ids[1:]


def count_rows(url: str) -> dict[str, int]:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        counts = {
            table: int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("contactlog", "signup")
        }
    engine.dispose()
    return counts


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(slack: LocalSlack, url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
        "TURNOUT_WEB_WORKERS": str(WORKERS),
        "TURNOUT_WEB_THREADS": str(THREADS),
    }


@contextlib.contextmanager
def server(kind: str, slack: LocalSlack, url: str, db: str) -> Iterator[tuple[int, int]]:
    """(port, pid) of a running server: `turnout serve`, or the ack-only app with its config."""
    port = free_port()
    if kind == "turnout":
        command = [sys.executable, "-m", "bot.cli.main", "serve"]
    else:
        # The options `turnout serve` gives gunicorn (bot/cli/main.py `serve`).
        command = [
            sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
            "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "30",
            "--graceful-timeout", "20", "--access-logfile", "-", "--log-level", "warning",
            "--bind", f"0.0.0.0:{port}", "bench.ack_only:application",
        ]  # fmt: skip
    DATA.mkdir(exist_ok=True)
    log = open(DATA / f"{kind}-{db}.log", "w")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        command, cwd=ROOT, env=server_env(slack, url, port), stdout=subprocess.DEVNULL, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{kind} exited; see {log.name}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200 and len(worker_pids(process.pid)) == WORKERS:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{kind} did not come up; see {log.name}")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


# ---------------------------------------------------------------- load


def sign(body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


def write_requests(
    path: Path, slack: LocalSlack, workload: Workload, tag: str, count: int, one: int, many: list[int]
) -> None:
    """`count` signed requests, each from a different person, timestamped now."""
    timestamp = int(time.time())
    lines = []
    for n in range(count):
        user = f"U{tag}{n:06d}"
        slack.add_person(user, user.lower(), real_name=f"Volunteer {n}")
        text = workload.text.format(one=one, many=many[n % len(many)])
        body = urlencode(
            {
                "token": "legacy",
                "team_id": "T0TURNOUT",
                "channel_id": CHANNEL,
                "channel_name": "iowa",
                "user_id": user,
                "user_name": user.lower(),
                "command": workload.command,
                "text": text,
                "api_app_id": "A0TURNOUT",
                "response_url": slack.response_url(f"{tag}.{n}"),
                "trigger_id": f"trigger.{tag}.{n}",
            }
        )
        lines.append(f"{timestamp}\t{sign(body, timestamp)}\t{body}\n")
    path.write_text("".join(lines))


def run_wrk(port: int, requests: Path, seconds: int, connections: int, threads: int) -> dict[str, int]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}/slack/events",
            "--",
            str(requests),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK_RESULT "))
    return dict(json.loads(line.removeprefix("WRK_RESULT ")))


def replies(slack: LocalSlack, tag: str) -> tuple[int, int]:
    """(replies, replies saying something went wrong) to the requests tagged `tag`."""
    prefix = f"{tag}."
    with slack.lock:
        mine = [m for m in slack.messages if m.response_token and m.response_token.startswith(prefix)]
    return len(mine), sum(SORRY in m.text for m in mine)


def drain(slack: LocalSlack, tag: str, expected: int, pids: list[int], limit: float = 120) -> None:
    """Wait for the work behind the acks: every reply in, or nothing moving for a while."""
    deadline = time.monotonic() + limit
    last, still = (-1, -1.0), 0
    while time.monotonic() < deadline:
        now = (replies(slack, tag)[0], cpu_seconds(pids))
        if now[0] >= expected:
            return
        still = still + 1 if now == last else 0
        if still >= 6:
            return
        last = now
        time.sleep(0.5)


def measure(
    *,
    db: str,
    workload: Workload,
    port: int,
    pid: int | None,
    slack: LocalSlack,
    url: str,
    args: argparse.Namespace,
    one: int,
    many: list[int],
    tag: str,
) -> Result:
    path = DATA / "requests.txt"
    write_requests(path, slack, workload, tag, args.requests, one, many)
    pids = worker_pids(pid) if pid else []
    rows_before = count_rows(url)
    updates_before = len(slack.calls_to("chat.update"))
    cpu_before = cpu_seconds(pids)
    wrk = run_wrk(port, path, args.seconds, args.connections, args.wrk_threads)
    result = Result(
        db,
        workload.name,
        wrk["requests"] / (wrk["duration_us"] / 1e6),
        wrk["p50_us"] / 1000,
        wrk["p99_us"] / 1000,
        wrk["requests"],
        wrk["non200"],
        wrk["nonempty"],
        wrk["socket_errors"],
    )
    if pid is None:
        return result
    acked = wrk["requests"] - wrk["non200"]
    drain(slack, tag, min(acked, args.requests), pids)
    cpu = cpu_seconds(pids) - cpu_before
    rows_after = count_rows(url)
    result.replies, result.sorry = replies(slack, tag)
    result.cpu_ms_per_request = 1000 * cpu / max(1, wrk["requests"])
    if workload.command == "/log":
        result.rows = rows_after["contactlog"] - rows_before["contactlog"]
    elif workload.command == "/claim":
        result.rows = rows_after["signup"] - rows_before["signup"]
        result.updates_per_claim = (len(slack.calls_to("chat.update")) - updates_before) / max(1, result.rows)
    return result


# ---------------------------------------------------------------- report


def print_table(results: list[Result], baselines: dict[str, float]) -> None:
    print(
        "| db | workload | req/s ×ack-only | p50 ack ms | p99 ack ms | requests | non-200 | "
        "rows | replies | went wrong | chat.update/claim | worker CPU ms/req |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cells = [
            r.db,
            r.workload,
            f"{r.rps / baselines[r.db]:.2f}" + (f" ({r.rps:.0f}/s)" if r.workload == "ack-only" else ""),
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            str(r.requests),
            str(r.non200 + r.socket_errors),
            "-" if r.rows is None else str(r.rows),
            "-" if r.replies is None else str(r.replies),
            str(r.sorry),
            "-" if r.updates_per_claim is None else f"{r.updates_per_claim:.2f}",
            "-" if r.cpu_ms_per_request is None else f"{r.cpu_ms_per_request:.2f}",
        ]
        print("| " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="5 s per workload")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--requests", type=int, default=30_000, help="signed requests per workload")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 5
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    # The stand-in plays Slack's servers, which never refuse a connection under this load:
    # a deeper listen backlog than http.server's default of 5.
    ThreadingHTTPServer.request_queue_size = 1024
    slack = LocalSlack(token=TOKEN).start()
    slack.add_channel(CHANNEL, "iowa")
    results: list[Result] = []
    baselines: dict[str, float] = {}
    try:
        for db in args.dbs.split(","):
            url = fresh_database(db)
            one, many = seed(url, slack)
            common = {"db": db, "slack": slack, "url": url, "args": args, "one": one, "many": many}
            with server("ack-only", slack, url, db) as (port, _pid):
                first = measure(workload=BASELINE, port=port, pid=None, tag=f"{db[0].upper()}A", **common)
            runs = []
            with server("turnout", slack, url, db) as (port, pid):
                for n, workload in enumerate(WORKLOADS):
                    tag = f"{db[0].upper()}{n}"
                    runs.append(measure(workload=workload, port=port, pid=pid, tag=tag, **common))
            with server("ack-only", slack, url, db) as (port, _pid):
                second = measure(workload=BASELINE, port=port, pid=None, tag=f"{db[0].upper()}B", **common)
            baselines[db] = statistics.mean([first.rps, second.rps])
            first.rps = baselines[db]
            first.p50_ms = statistics.mean([first.p50_ms, second.p50_ms])
            first.p99_ms = max(first.p99_ms, second.p99_ms)
            results += [first, *runs]
    finally:
        slack.stop()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    print_table(results, baselines)


if __name__ == "__main__":
    main()
