"""Slack-signed slash commands at full tilt against `turnout serve`, as ratios to an ack-only app.

    python -m bench.load_bench                 # 10 s per workload, SQLite and PostgreSQL
    python -m bench.load_bench --quick         # 5 s per workload
    python -m bench.load_bench --dbs sqlite --seconds 20 --connections 50
    python -m bench.load_bench --dbs sqlite --workloads log,claim-one
    python -m bench.load_bench --soak          # 200 connections, 60 s, a mix of the commands
    python -m bench.load_bench --soak --waited 3   # the same, every request late: acked at once
    python -m bench.load_bench --quick --floor --workloads log   # with the one-write floor

Needs `wrk` (`apt-get install -y wrk`). For each database it starts, one after the other:

- two ack-only Bolt apps (`bench/ack_only.py`) under gunicorn with the same server config as
  `turnout serve` (gthread, 2 workers × 8 threads, access log on), each run before and after the
  Turnout workloads and averaged: the baselines. *Acked first* acks in the request's thread
  before any listener runs, as Turnout runs Bolt: the least an ack costs. *Bolt's defaults* is
  the same app as Bolt builds it by default, the baseline the surge issue measured against
  (about 1,300/s there): Bolt runs the listener on its own pool and looks for the ack every
  10 ms, so each ack waits at least that long;
- with `--floor`, the one-write app (`bench/one_write.py`, same config): one row committed
  straight on the driver and a one-line reply in the ack per command: the most a command can
  reach that commits its own transaction before it answers (*lost*: acks without a row);
- `turnout serve` itself, against the local Slack stand-in (`bot/localslack`) running in this
  process, on a fresh, migrated database with Iowa bound to #iowa, one 500-place shift and 100
  50-place shifts, each with its channel post.

Each workload is wrk with `--connections` connections replaying requests signed here just
before the run (`bench/signed_requests.lua`), every one from a different person, with its own
response_url. Of those people a share (`--new-share`, 20 % by default) have never used Turnout;
the rest are volunteers it already knows (their profile stored earlier that day), as on a
campaign's busy evening. After wrk stops the bench waits for the work still running to finish,
then counts what was done:

- *done/s*: requests answered (the reply in the ack, or through the response_url) per second,
  from the start of the run until the last answer, so work left running after wrk stops counts
  against the rate; and its ratio to each baseline's acks per second;
- p50/p99 ack latency (wrk's, from request sent to ack received);
- requests sent, non-200 answers and socket errors (wrk gives up on an answer after 10 s);
- answered, of which in the ack itself; unanswered: acked but never answered (the requests wrk
  still had in flight when it stopped are answered too, but wrk hangs up without reading their
  ack, so they count as sent, not answered); answers that say "Something went wrong";
- busy: requests turned away, told Turnout is too busy with nothing done, because the listener
  pool held all the work it may (`bot/workpool.py`), counted from the server's log; answered,
  but not done, so not counted in done/s;
- lost: write requests sent (/log, /claim), less those turned away, with no row committed
  (contact log, signup);
- for claims, `chat.update` calls per claim (and how many of all calls the stand-in answered
  429: it holds chat.update to Slack's Tier 3 limit of 50 a minute in the workspace), and
  channel posts that do not show the shift's true fill once every post has caught up (waited
  for up to 12 minutes after the last answer: with the limit, 100 posts take several), with
  how long that took;
- the gunicorn workers' CPU time (from /proc) per request (for claims, up to the moment the
  posts have caught up and gone quiet, the idling in between included), and their peak memory
  (RSS, sampled twice a second).

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
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session

from bot.blocks.shifts import build_shift_post
from bot.db import create_db_engine, upgrade
from bot.localslack.webapi import TEAM_ID, LocalSlack, Message
from bot.models import Shift, ShiftKind, Volunteer
from bot.services import organizations
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
SOAK_CONNECTIONS, SOAK_SECONDS = 200, 60
MEMORY_LIMIT_MB = 150
SORRY = "Something went wrong"
BUSY_LOGGED = "the listener pool is full: a "  # handlers/common.py `answered`
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Workload:
    name: str
    commands: tuple[tuple[str, str], ...]  # (command, text); request n sends commands[n % len]
    # `{one}` / `{many}` in a text stand for a shift id


LOG = ("/log", "3 doors 1 convos")
WORKLOADS = {
    "log": Workload("/log 3 doors 1 convos", (LOG,)),
    "claim-one": Workload("/claim one 500-place shift", (("/claim", "{one}"),)),
    "claim-many": Workload("/claim 100 shifts", (("/claim", "{many}"),)),
    "stats": Workload("/stats IA", (("/stats", "IA"),)),
}
SOAK = Workload("mix: /log, /claim 100 shifts, /stats", (LOG, ("/claim", "{many}"), ("/stats", "IA")))
BASELINE = Workload("ack-only, acked first", (LOG,))
DEFAULTS = Workload("ack-only, Bolt's defaults", (LOG,))
# The baselines, (server kind, workload): each workload's ratio to each is printed.
BASELINES = (("ack-only", BASELINE), ("bolt-defaults", DEFAULTS))
FLOOR = Workload("one write, answered in the ack (floor)", (LOG,))
FLOOR_TABLE = "bench_write"  # where the one-write app records
WRITES = {"/log": "contactlog", "/claim": "signup"}


@dataclass
class Result:
    db: str
    workload: str
    rps: float  # done per second (the baseline: acks per second)
    p50_ms: float
    p99_ms: float
    sent: int
    requests: int
    non200: int
    socket_errors: int
    wrapped: bool = False
    answers: int | None = None
    sorry: int = 0
    busy: int = 0
    in_ack: int = 0
    rows: int | None = None
    lost: int | None = None
    extra: int | None = None
    updates_per_claim: float | None = None
    stale_posts: int | None = None
    settled_s: float | None = None  # how long the posts took to show the true fill, after the answers
    rate_limited: int = 0  # calls Slack answered 429
    cpu_ms_per_request: float | None = None
    rss_mb: float | None = None


# ---------------------------------------------------------------- the database


def fresh_database(db: str, name: str = SCHEMA) -> str:
    """A new, migrated database for a bench run: `.data/NAME.db` on SQLite, schema NAME on
    PostgreSQL (dropped and made again)."""
    if db == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        admin = sa.create_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
            connection.execute(sa.text(f"CREATE SCHEMA {name}"))
        admin.dispose()
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{name}"
    upgrade(url)
    return url


def seed(url: str, slack: LocalSlack) -> tuple[int, list[int]]:
    """The stand-in's workspace as the organization, Iowa bound to #iowa; one 500-place shift
    and many smaller ones, each posted in #iowa."""
    engine = create_db_engine(url)
    now = utcnow()
    starts = now.replace(minute=0, second=0, microsecond=0) + timedelta(days=3)
    with Session(engine) as session:
        organizations.seen(session, team_id=TEAM_ID, name="Turnout", now=now)
        session.flush()
        state = ensure_state(session, team_id=TEAM_ID, code="IA", now=now)
        state.channel_id = CHANNEL
        session.add(state)
        shifts = [
            Shift(
                team_id=TEAM_ID,
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
            reply = build_shift_post(get_shift(session, shift.id, team_id=TEAM_ID))
            ts = f"{int(time.time())}.{n:06d}"
            slack.store(Message(CHANNEL, ts, reply.text, reply.blocks))
            record_shift_post(session, shift_id=shift.id, channel_id=CHANNEL, message_ts=ts)
        session.commit()
        ids = [s.id for s in shifts if s.id is not None]
    engine.dispose()
    return ids[0], ids[1:]


def add_known_volunteers(url: str, user_ids: list[str]) -> None:
    """People Turnout already knows: their profile stored from Slack earlier today (and their
    workspace as the organization, if it is not yet)."""
    if not user_ids:
        return
    engine = create_db_engine(url)
    with Session(engine) as session:
        organizations.seen(session, team_id=TEAM_ID, name="Turnout", now=utcnow())
        session.commit()
    seen = utcnow() - timedelta(hours=2)
    table = Volunteer.__table__  # type: ignore[attr-defined]
    rows = [
        {
            "team_id": TEAM_ID,
            "id": user_id,
            "display_name": user_id.lower(),
            "real_name": f"Volunteer {user_id}",
            "timezone": "America/Chicago",
            "is_workspace_admin": False,
            "created_at": seen,
            "profile_updated_at": seen,
        }
        for user_id in user_ids
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
    engine.dispose()


def stale_posts(url: str, slack: LocalSlack, shift_ids: list[int]) -> int:
    """Channel posts that do not show their shift as it stands."""
    engine = create_db_engine(url)
    stale = 0
    with Session(engine) as session:
        for shift_id in shift_ids:
            shift = get_shift(session, shift_id, team_id=TEAM_ID)
            assert shift.channel_id and shift.message_ts
            post = slack.message(shift.channel_id, shift.message_ts)
            if post is None or post.text != build_shift_post(shift).text:
                stale += 1
    engine.dispose()
    return stale


def settle_posts(
    url: str, slack: LocalSlack, shift_ids: list[int], limit: float = 720.0, quiet: float = 10.0
) -> tuple[int, float]:
    """Wait up to `limit` seconds for every channel post to show its shift's true fill: the
    posts still stale then, and the seconds waited. Then wait until no post has been redrawn
    for `quiet` seconds (a worker may still hold redraws of posts another has brought up to
    date), so that their calls and CPU are not counted against the next workload."""
    started = time.monotonic()
    while (stale := stale_posts(url, slack, shift_ids)) and time.monotonic() - started < limit:
        time.sleep(1.0)
    settled = time.monotonic() - started
    updates, last_change = len(slack.calls_to("chat.update")), time.monotonic()
    while time.monotonic() - last_change < quiet and time.monotonic() - started < limit:
        time.sleep(0.5)
        if (now_updates := len(slack.calls_to("chat.update"))) != updates:
            updates, last_change = now_updates, time.monotonic()
    return stale, settled


def make_floor_table(url: str) -> None:
    """The table the one-write app records into (`bench/one_write.py`), empty."""
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {FLOOR_TABLE}"))
        connection.execute(sa.text(f"CREATE TABLE {FLOOR_TABLE} (team_id TEXT, user_id TEXT, text TEXT)"))
    engine.dispose()


def count_rows(url: str, tables: tuple[str, ...] = ("contactlog", "signup")) -> dict[str, int]:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        counts = {
            table: int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in tables
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
    """(port, pid) of a running server: `turnout serve`, or the ack-only or one-write app with
    its config."""
    port = free_port()
    if kind == "turnout":
        command = [sys.executable, "-m", "bot.cli.main", "serve"]
    else:
        module = {
            "ack-only": "bench.ack_only:build()",
            "bolt-defaults": "bench.ack_only:build_defaults()",
            "one-write": "bench.one_write:build()",
        }[kind]
        # The options `turnout serve` gives gunicorn (bot/cli/main.py `serve`).
        command = [
            sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
            "--workers", str(WORKERS), "--threads", str(THREADS), "--timeout", "30",
            "--graceful-timeout", "20", "--access-logfile", "-", "--log-level", "warning",
            "--bind", f"0.0.0.0:{port}", module,
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


def rss_mb(pids: list[int]) -> float:
    """The largest resident set among `pids`, in MB."""
    largest = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    largest = max(largest, int(line.split()[1]))
    return largest / 1024


class MemoryWatch:
    """Samples the workers' resident memory twice a second; `peak` is the largest seen."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak = pids, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb(self.pids))
            self._stop.wait(0.5)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pids))


# ---------------------------------------------------------------- load


def sign(body: str, timestamp: int) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Sent:
    """What a run's request file holds: line n's command and response token."""

    commands: list[str]
    tokens: list[str]


def write_requests(
    path: Path,
    slack: LocalSlack,
    url: str,
    workload: Workload,
    tag: str,
    args: argparse.Namespace,
    one: int,
    many: list[int],
) -> Sent:
    """`args.requests` signed requests, each from a different person. Every `1 / new_share`-th
    person is new to Turnout; the others are stored as known volunteers.

    Slack stamps each request as it sends it, and Turnout acks at once, without waiting for the
    reply, a request whose stamp says it already waited (`ACK_DEADLINE_SECONDS`). Replayed
    requests are stamped when the run ends (Bolt allows five minutes either way), so none looks
    older than it is; with `--waited N`, N seconds before the run starts, so every one looks as
    if it had waited in a queue on the way and is acked at once (or turned away, if there is
    no room for its work)."""
    every = round(1 / args.new_share) if args.new_share > 0 else 0
    bodies, commands, tokens, known = [], [], [], []
    for n in range(args.requests):
        user = f"U{tag}{n:06d}"
        slack.add_person(user, user.lower(), real_name=f"Volunteer {n}")
        if not every or n % every:
            known.append(user)
        command, text = workload.commands[n % len(workload.commands)]
        token = f"{tag}.{n}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM_ID,
                "channel_id": CHANNEL,
                "channel_name": "iowa",
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text.format(one=one, many=many[n % len(many)]),
                "api_app_id": "A0TURNOUT",
                "response_url": slack.response_url(token),
                "trigger_id": f"trigger.{tag}.{n}",
            }
        )
        bodies.append(body)
        commands.append(command)
        tokens.append(token)
    add_known_volunteers(url, known)
    # Stamped once everything else is ready: making a soak's requests takes a minute or more.
    ahead = -args.waited if args.waited is not None else 5 + args.seconds
    timestamp = int(time.time()) + ahead
    path.write_text("".join(f"{timestamp}\t{sign(body, timestamp)}\t{body}\n" for body in bodies))
    return Sent(commands, tokens)


def sent_lines(shares: list[int], total: int) -> tuple[list[int], bool]:
    """The request-file lines wrk sent (thread t sends lines t, t+T, ...), and whether a thread
    ran past its share and started again."""
    threads = len(shares)
    lines, wrapped = [], False
    for t, count in enumerate(shares):
        share = list(range(t, total, threads))
        wrapped = wrapped or count > len(share)
        lines += share[:count]
    return sorted(lines), wrapped


def run_wrk(port: int, requests: Path, seconds: int, connections: int, threads: int) -> dict[str, Any]:
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


def turned_away(db: str) -> dict[str, int]:
    """Commands `turnout serve` has turned away so far, its listener pool full (told Turnout is
    busy, nothing done), by command: counted from the warning it logs for each."""
    counts: dict[str, int] = {}
    path = DATA / f"turnout-{db}.log"
    for line in path.read_text(errors="replace").splitlines() if path.exists() else []:
        if BUSY_LOGGED in line:
            command = line.rsplit(BUSY_LOGGED, 1)[1].split()[0]
            counts[command] = counts.get(command, 0) + 1
    return counts


def posted_replies(slack: LocalSlack, tokens: list[str]) -> tuple[int, int]:
    """(requests answered through their response_url, of which saying something went wrong)."""
    answered = wrong = 0
    for token in tokens:
        found = slack.responses(token)
        answered += bool(found)
        wrong += any(SORRY in m.text for m in found)
    return answered, wrong


def drain(slack: LocalSlack, tokens: list[str], pids: list[int], limit: float = 300) -> float:
    """Wait until the work still running after wrk stopped is over: no reply through a
    response_url and no post redrawn for two seconds, the workers using under a tenth of a core.
    Returns when the last reply came. (Profiles of new people are fetched from Slack later
    still, a second apart: those fetches are not waited for.)"""
    deadline = time.monotonic() + limit
    last_answer = time.monotonic()
    answers = sum(1 for token in tokens if slack.responses(token))
    updates, cpu, still = len(slack.calls_to("chat.update")), cpu_seconds(pids), 0
    while time.monotonic() < deadline and still < 20:
        time.sleep(0.1)
        now_answers = sum(1 for token in tokens if slack.responses(token))
        now_updates = len(slack.calls_to("chat.update"))
        busy = cpu_seconds(pids) - cpu
        cpu += busy
        if now_answers != answers:
            last_answer = time.monotonic()
        moved = now_answers != answers or now_updates != updates
        still = 0 if moved or busy >= 0.011 else still + 1
        answers, updates = now_answers, now_updates
    return last_answer


def measure(
    *,
    db: str,
    workload: Workload,
    port: int,
    pid: int,
    baseline: bool,
    slack: LocalSlack,
    url: str,
    args: argparse.Namespace,
    one: int,
    many: list[int],
    tag: str,
) -> Result:
    path = DATA / "requests.txt"
    sent = write_requests(path, slack, url, workload, tag, args, one, many)
    pids = worker_pids(pid)
    rows_before = count_rows(url)
    away_before = turned_away(db)
    updates_before = len(slack.calls_to("chat.update"))
    limited_before = slack.rate_limited
    cpu_before = cpu_seconds(pids)
    started = time.monotonic()
    with MemoryWatch(pids) as memory:
        wrk = run_wrk(port, path, args.seconds, args.connections, args.wrk_threads)
        lines, wrapped = sent_lines(list(wrk["sent"]), len(sent.tokens))
        tokens = [sent.tokens[n] for n in lines]
        last_answer = time.monotonic() if baseline else drain(slack, tokens, pids)
        claimed = not baseline and any(sent.commands[n] == "/claim" for n in lines)
        # Channel posts are redrawn within Slack's chat.update limit, so after a surge on many
        # shifts they catch up for a while after the last answer: waited for, their CPU counted.
        stale, settled = settle_posts(url, slack, [one, *many]) if claimed else (None, None)
    cpu = cpu_seconds(pids) - cpu_before
    elapsed = max(wrk["duration_us"] / 1e6, last_answer - started)
    result = Result(
        db,
        workload.name,
        0.0,
        wrk["p50_us"] / 1000,
        wrk["p99_us"] / 1000,
        len(lines),
        wrk["requests"],
        wrk["non200"],
        wrk["socket_errors"],
        wrapped=wrapped,
        cpu_ms_per_request=1000 * cpu / max(1, wrk["requests"]),
        rss_mb=memory.peak,
    )
    if baseline:
        result.rps = (wrk["requests"] - wrk["non200"]) / elapsed
        return result
    posted, posted_wrong = posted_replies(slack, tokens)
    away = {command: n - away_before.get(command, 0) for command, n in turned_away(db).items()}
    result.in_ack = wrk["replied"]
    result.answers = wrk["replied"] + posted
    result.sorry = wrk["sorry"] + posted_wrong
    result.busy = sum(away.values())
    # Done: answered with the work done. An answer carried by an ack counts once wrk has it; a
    # request still in flight when wrk stopped may have been answered in an ack wrk never read,
    # so it is not. A request turned away (told Turnout is busy) is answered, not done.
    result.rps = (result.answers - result.busy) / elapsed
    rows_after = count_rows(url)
    expected = sum(1 for n in lines if sent.commands[n] in WRITES) - sum(away.get(c, 0) for c in WRITES)
    rows = sum(rows_after[t] - rows_before[t] for t in set(WRITES.values()))
    result.rows, result.lost, result.extra = rows, max(0, expected - rows), max(0, rows - expected)
    if claimed:
        claims = rows_after["signup"] - rows_before["signup"]
        result.updates_per_claim = (len(slack.calls_to("chat.update")) - updates_before) / max(1, claims)
        result.stale_posts, result.settled_s = stale, settled
    result.rate_limited = slack.rate_limited - limited_before
    return result


def run_baselines(*, tag: str, slack: LocalSlack, url: str, db: str, **common: Any) -> list[Result]:
    """Each baseline's run, in `BASELINES`' order."""
    runs = []
    for kind, workload in BASELINES:
        with server(kind, slack, url, db) as (port, pid):
            runs.append(
                measure(
                    workload=workload,
                    port=port,
                    pid=pid,
                    baseline=True,
                    tag=f"{tag}{kind[0].upper()}",
                    slack=slack,
                    url=url,
                    db=db,
                    **common,
                )
            )
    return runs


def averaged_baseline(first: Result, second: Result) -> Result:
    """A baseline's runs before and after the workloads, as one: rates and p50 averaged, the
    worse p99 and the larger memory kept, counts added."""
    first.rps = statistics.mean([first.rps, second.rps])
    first.p50_ms = statistics.mean([first.p50_ms, second.p50_ms])
    first.p99_ms = max(first.p99_ms, second.p99_ms)
    first.sent += second.sent
    first.requests += second.requests
    first.non200 += second.non200
    first.socket_errors += second.socket_errors
    first.cpu_ms_per_request = statistics.mean(
        [first.cpu_ms_per_request or 0, second.cpu_ms_per_request or 0]
    )
    first.rss_mb = max(first.rss_mb or 0, second.rss_mb or 0)
    return first


# ---------------------------------------------------------------- report


def print_table(results: list[Result], baselines: dict[tuple[str, str], float]) -> None:
    """`baselines`: acks per second by (db, baseline server kind)."""
    print(
        "| db | workload | done/s | ×acked first | ×Bolt's defaults | p50 ack ms | p99 ack ms | sent | "
        "non-200 | answered (in the ack) | unanswered | went wrong | busy | lost | chat.update/claim (429s) | "
        "stale posts (settled after) | worker CPU ms/req | worker RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cells = [
            r.db,
            # A baseline that ran past its requests and started again only acked them twice.
            r.workload + (" (wrapped)" if r.wrapped and r.answers is not None else ""),
            f"{r.rps:.0f}",
            *(f"{r.rps / baselines[r.db, kind]:.2f}" for kind, _ in BASELINES),
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            str(r.sent),
            str(r.non200 + r.socket_errors),
            "-" if r.answers is None else f"{r.answers} ({r.in_ack})",
            "-" if r.answers is None else str(max(0, r.requests - r.non200 - r.answers)),
            str(r.sorry),
            "-" if r.answers is None else str(r.busy),
            "-" if r.lost is None else f"{r.lost}" + (f" (+{r.extra})" if r.extra else ""),
            "-" if r.updates_per_claim is None else f"{r.updates_per_claim:.2f} ({r.rate_limited})",
            "-" if r.stale_posts is None else f"{r.stale_posts} ({r.settled_s:.0f} s)",
            "-" if r.cpu_ms_per_request is None else f"{r.cpu_ms_per_request:.2f}",
            "-" if r.rss_mb is None else f"{r.rss_mb:.0f}",
        ]
        print("| " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=None, help="per workload (default 10)")
    parser.add_argument("--quick", action="store_true", help="5 s per workload")
    parser.add_argument(
        "--soak",
        action="store_true",
        help=f"{SOAK_CONNECTIONS} connections for {SOAK_SECONDS} s, a mix of /log, /claim and /stats",
    )
    parser.add_argument(
        "--workloads", default=",".join(WORKLOADS), help=f"comma-separated, of: {', '.join(WORKLOADS)}"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also run the one-write app (bench/one_write.py): one committed row and a reply "
        "per command, the ceiling for a command that commits its own transaction first",
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--requests", type=int, default=30_000, help="signed requests per workload")
    parser.add_argument(
        "--new-share", type=float, default=0.2, help="share of people new to Turnout (0 to 1)"
    )
    parser.add_argument(
        "--waited",
        type=int,
        default=None,
        help="stamp every request this many seconds before the run starts, as Slack stamps "
        "requests that waited in a queue before reaching the server: each is acked at once",
    )
    args = parser.parse_args()
    workloads = [WORKLOADS[name] for name in args.workloads.split(",")]
    if args.soak:
        args.connections, args.seconds = SOAK_CONNECTIONS, args.seconds or SOAK_SECONDS
        args.requests = max(args.requests, 3000 * args.seconds)
        workloads = [SOAK]
    args.seconds = args.seconds or (5 if args.quick else 10)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    # The stand-in plays Slack's servers, which never refuse a connection under this load:
    # a deeper listen backlog than http.server's default of 5.
    ThreadingHTTPServer.request_queue_size = 1024
    slack = LocalSlack(token=TOKEN).start()
    slack.limit_updates()  # chat.update: Tier 3, 50 a minute in the workspace
    slack.add_channel(CHANNEL, "iowa")
    results: list[Result] = []
    baselines: dict[tuple[str, str], float] = {}
    try:
        for db in args.dbs.split(","):
            url = fresh_database(db)
            one, many = seed(url, slack)
            common = {"db": db, "slack": slack, "url": url, "args": args, "one": one, "many": many}
            letter = db[0].upper()
            before = run_baselines(tag=f"{letter}B1", **common)
            runs = []
            if args.floor:
                make_floor_table(url)
                with server("one-write", slack, url, db) as (port, pid):
                    floor = measure(
                        workload=FLOOR, port=port, pid=pid, baseline=True, tag=f"{letter}F", **common
                    )
                # Every command acked with a 200 committed its row before the ack.
                floor.rows = count_rows(url, (FLOOR_TABLE,))[FLOOR_TABLE]
                floor.lost = max(0, floor.requests - floor.non200 - floor.rows)
                runs.append(floor)
            with server("turnout", slack, url, db) as (port, pid):
                for n, workload in enumerate(workloads):
                    runs.append(
                        measure(
                            workload=workload,
                            port=port,
                            pid=pid,
                            baseline=False,
                            tag=f"{letter}{n}",
                            **common,
                        )
                    )
            after = run_baselines(tag=f"{letter}B2", **common)
            averaged = [averaged_baseline(first, second) for first, second in zip(before, after, strict=True)]
            for (kind, _), result in zip(BASELINES, averaged, strict=True):
                baselines[db, kind] = result.rps
            results += [*averaged, *runs]
    finally:
        slack.stop()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"{args.connections} connections, {args.seconds} s per workload, "
        f"{args.new_share:.0%} of people new to Turnout\n"
    )
    print_table(results, baselines)


if __name__ == "__main__":
    main()
