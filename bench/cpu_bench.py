"""Process CPU per slash command, in one process, as a ratio to the ack-only app: a measure that
holds on a busy machine, where the load bench's req/s does not.

    python -m bench.cpu_bench                      # /log, SQLite and PostgreSQL
    python -m bench.cpu_bench --dbs sqlite --requests 3000
    python -m bench.cpu_bench --profile log.prof   # also write a cProfile of the Turnout loop
    python -m bench.cpu_bench --dbs sqlite --workloads log,claim-one,stats

`--workloads`: `log` (`/log 3 doors 1 convos`, or `--text`), `claim-one` (`/claim` on the one
500-place shift: past its 500 places every claim joins its waitlist), `stats` (`/stats IA`);
each against the ack-only app fed the same requests, on its own fresh database.

It builds the WSGI app as `turnout serve` builds it in each worker (`make_deps`, `build_app`,
`build_wsgi`), against the local Slack stand-in running in this process, on a fresh database
seeded as the load bench seeds it (`bench/load_bench.py`; its own, `.data/cpu_bench.db` or the
schema `cpu_bench`, so the two benches may run at once), and the ack-only app
(`bench/ack_only.py`) with the same settings. Each is fed the same kind of Slack-signed
requests, every one from a different person, one after another on this thread, by
`--threads` threads; the count is process CPU (user + system, every thread of this process,
the stand-in included) per request, after a warm-up. The database's own CPU is counted on
SQLite (it runs in this process) and not on PostgreSQL (the server's processes): for
PostgreSQL the server's CPU per request is read from /proc when the server runs on this
machine and this user may read it, and is left out otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import load_bench as lb
from bot.localslack.webapi import TEAM_ID, LocalSlack

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def environ_for(body: str, timestamp: int) -> dict[str, Any]:
    raw = body.encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(timestamp),
        "HTTP_X_SLACK_SIGNATURE": lb.sign(body, timestamp),
        "wsgi.input": io.BytesIO(raw),
    }


def requests_for(
    slack: LocalSlack, url: str, tag: str, count: int, command: tuple[str, str], new_share: float
) -> list[tuple[str, str]]:
    """(body, response token) of `count` requests, each from a different person; every
    `1 / new_share`-th person is new to Turnout, the others stored as known volunteers."""
    every = round(1 / new_share) if new_share > 0 else 0
    out, known = [], []
    for n in range(count):
        user = f"U{tag}{n:06d}"
        slack.add_person(user, user.lower(), real_name=f"Volunteer {n}")
        if not every or n % every:
            known.append(user)
        token = f"{tag}.{n}"
        body = urlencode(
            {
                "token": "legacy",
                "team_id": TEAM_ID,
                "channel_id": lb.CHANNEL,
                "channel_name": "iowa",
                "user_id": user,
                "user_name": user.lower(),
                "command": command[0],
                "text": command[1],
                "api_app_id": "A0TURNOUT",
                "response_url": slack.response_url(token),
                "trigger_id": f"trigger.{tag}.{n}",
            }
        )
        out.append((body, token))
    lb.add_known_volunteers(url, known)
    return out


def _started(statuses: list[str], status: str, _headers: object, *_: object) -> None:
    statuses.append(status)


def drive(app: WSGIApp, bodies: list[tuple[str, str]], threads: int) -> tuple[int, list[str]]:
    """Feed every request to `app` from `threads` threads: (acks with 200, the response tokens
    of the requests whose ack carried no reply)."""
    # Stamped ahead, as the load bench stamps them: Bolt allows five minutes either way, and an
    # ack waits for its reply only while the stamp says the request is fresh.
    timestamp = int(time.time()) + 120
    counts = {"ok": 0}
    empty: list[str] = []
    lock = threading.Lock()

    def worker(share: list[tuple[str, str]]) -> None:
        ok, bare = 0, []
        for body, token in share:
            statuses: list[str] = []
            chunks = app(environ_for(body, timestamp), partial(_started, statuses))
            answer = b"".join(chunks)
            ok += statuses == ["200 OK"]
            if not answer:
                bare.append(token)
        with lock:
            counts["ok"] += ok
            empty.extend(bare)

    pool = [threading.Thread(target=worker, args=(bodies[t::threads],)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return counts["ok"], empty


def settle(slack: LocalSlack, tokens: list[str], limit: float = 30) -> int:
    """Wait until the requests acked without a reply are answered through their response_url;
    how many were."""
    deadline = time.monotonic() + limit
    waiting = list(tokens)
    while waiting and time.monotonic() < deadline:
        waiting = [token for token in waiting if not slack.responses(token)]
        if waiting:
            time.sleep(0.05)
    return len(tokens) - len(waiting)


class ThreadProfiles:
    """cProfile in every thread this process runs Python code on (the request threads, the
    listener pool, the stand-in's), merged into one file: where a request's CPU goes."""

    def _hook(self, *_: object) -> None:
        profile = cProfile.Profile()
        with self._lock:
            self.profiles.append(profile)
        profile.enable()

    def start(self) -> None:
        """Profile this thread and every thread started from now on (so: before the app is built)."""
        threading.setprofile(self._hook)
        self._hook()

    def __init__(self, path: str) -> None:
        self.path = path
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()

    def dump(self) -> None:
        threading.setprofile(None)
        with self._lock:
            profiles = list(self.profiles)
        for profile in profiles:
            profile.create_stats()
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.dump_stats(self.path)


def server_cpu(url: str) -> float:
    """PostgreSQL's processes' CPU seconds on this machine, if /proc shows them (0 otherwise)."""
    if not url.startswith("postgresql"):
        return 0.0
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    total += lb.cpu_seconds([int(entry.name)])
    return total


def measure(
    app: WSGIApp,
    slack: LocalSlack,
    url: str,
    tag: str,
    args: argparse.Namespace,
    command: tuple[str, str],
    profilers: ThreadProfiles | None = None,
    *,
    expect_answers: bool = True,
    finish: Callable[[], None] = lambda: None,
) -> dict[str, float]:
    warm = requests_for(slack, url, f"{tag}W", args.warmup, command, args.new_share)
    _ok, bare = drive(app, warm, args.threads)
    if expect_answers:
        settle(slack, bare)
    finish()
    bodies = requests_for(slack, url, tag, args.requests, command, args.new_share)
    table = "signup" if command[0] == "/claim" else "contactlog"
    rows_before = lb.count_rows(url)[table]
    db_before = server_cpu(url)
    cpu_before, wall_before = time.process_time(), time.monotonic()
    ok, bare = drive(app, bodies, args.threads)
    replied = len(bodies) - len(bare)
    posted = settle(slack, bare) if expect_answers else 0
    finish()
    if profilers:
        profilers.dump()
    cpu, wall = time.process_time() - cpu_before, time.monotonic() - wall_before
    db_cpu = server_cpu(url) - db_before
    rows = lb.count_rows(url)[table] - rows_before
    n = len(bodies)
    return {
        "cpu_ms": 1000 * cpu / n,
        "db_ms": 1000 * db_cpu / n,
        "wall_ms": 1000 * wall / n,
        "ok": ok,
        "answered": replied + posted,
        "rows": rows,
        "n": n,
    }


def build(kind: str) -> tuple[WSGIApp, Callable[[], None], Callable[[], None]]:
    """The app, and how to end the work its requests left running, so that none of it spills
    into the next measure: the posts to redraw are waited for (they count against this app);
    the profiles still to fetch are dropped (their fetches are spaced to keep within Slack's
    limit, so they would take minutes, and take little CPU). Then how to close its database
    connections, so that their server processes do not end, their CPU with them, within the
    next measure's count of the server's CPU."""
    if kind == "ack-only":
        from bench.ack_only import build as build_ack_only

        return build_ack_only(), lambda: None, lambda: None
    from bot.cli.app import build_app, build_wsgi
    from bot.config import Settings
    from bot.deps import make_deps

    deps = make_deps(Settings.from_env(require_slack=True))

    def finish() -> None:
        deps.profiles.stop()
        deps.profiles.wait_idle(timeout=120)
        deps.redraws.wait_idle(timeout=120)
        deps.lanes.wait_idle(timeout=120)

    return build_wsgi(build_app(deps), deps), finish, deps.engine.dispose


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dbs", default="sqlite,postgresql")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1, help="threads feeding the app")
    parser.add_argument("--new-share", type=float, default=0.2)
    parser.add_argument("--text", default=" ".join(lb.LOG[1:]), help="the /log text")
    parser.add_argument("--workloads", default="log", help="log, claim-one, stats (comma-separated)")
    parser.add_argument("--profile", help="write a cProfile of the Turnout run to this file")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    slack = LocalSlack(token=lb.TOKEN).start()
    slack.add_channel(lb.CHANNEL, "iowa")
    print(
        "| db | workload | app | CPU ms/req | ×ack-only | db server CPU ms/req | wall ms/req | 200s "
        "| answered | rows |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    try:
        for db, workload in [(d, w) for d in args.dbs.split(",") for w in args.workloads.split(",")]:
            url = lb.fresh_database(db, "cpu_bench")
            one, _many = lb.seed(url, slack)
            os.environ.update(lb.server_env(slack, url, 8999))
            command = {
                "log": ("/log", args.text),
                "claim-one": ("/claim", str(one)),
                "stats": ("/stats", "IA"),
            }[workload]
            letter = f"{db[0].upper()}{workload[0].upper()}"
            results = {}
            for kind in ("ack-only", "turnout"):
                profilers = ThreadProfiles(args.profile) if args.profile and kind == "turnout" else None
                if profilers:
                    profilers.start()  # the CPU counts then include the profiler's own
                app, finish, close = build(kind)
                results[kind] = measure(
                    app,
                    slack,
                    url,
                    f"{letter}{kind[0].upper()}",
                    args,
                    command,
                    profilers,
                    expect_answers=kind == "turnout",
                    finish=finish,
                )
                close()
            base = results["ack-only"]["cpu_ms"]
            for kind, r in results.items():
                rows = "-" if kind == "ack-only" else str(r["rows"])
                answered = "-" if kind == "ack-only" else str(r["answered"])
                print(
                    f"| {db} | {workload} | {kind} | {r['cpu_ms']:.3f} | {r['cpu_ms'] / base:.2f} | "
                    f"{r['db_ms']:.3f} | {r['wall_ms']:.3f} | {r['ok']:.0f}/{r['n']:.0f} | "
                    f"{answered} | {rows} |",
                    flush=True,
                )
    finally:
        slack.stop()


if __name__ == "__main__":
    main()
