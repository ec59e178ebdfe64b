"""In-process CPU and statements per `/claim` and `/stats`, against the ack-only app.

    python -m bench.claim_profile                         # every workload, SQLite
    python -m bench.claim_profile --db postgresql --workloads claim-one,stats
    python -m bench.claim_profile --workloads claim-one --py-spy claim.svg

The WSGI app is built as `turnout serve` builds it in each worker (`make_deps`, `build_app`,
`build_wsgi`), on a fresh, migrated database seeded as `bench.load_bench` seeds it (Iowa bound to
#iowa, one 500-place shift and 100 50-place shifts, each with its channel post), and fed
Slack-signed slash commands, each from a different person, from `--threads` threads calling it
directly, as gunicorn's threads would (no HTTP in front). The local Slack stand-in runs in a
child process, so its work (the replies' `users.info`, the redraws' `chat.update`) is not
counted. A share of the people (`--new-share`) are new to Turnout, the rest known.

For each workload it prints, after a warm-up, this process's CPU time (user + system, every
thread: the request threads, the listener pool, the redraw timer) per request, and the SQL
statements per request, once the work behind the replies (redraws, profile fetches) is done;
`ack-only` is `bench/ack_only.py`'s app fed the same requests. `--statements` lists the
statements one request of each workload ran. `--py-spy FILE` samples, during the measured
requests, the thread holding the GIL (py-spy's `--gil`: Python's own CPU, not threads waiting
on locks or the database); an SVG flame graph, or with FILE.txt collapsed stacks, one a line
(py-spy must be installed: `pip install py-spy`).

PostgreSQL comes from TURNOUT_BENCH_POSTGRES_URL; this uses its own schema, `claim_profile`.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy import event

from bench.load_bench import (
    CHANNEL,
    TOKEN,
    add_known_volunteers,
    fresh_database,
    seed,
    server_env,
    sign,
)
from bot.db import Prepared
from bot.localslack.webapi import TEAM_ID

SCHEMA = "claim_profile"
WORKLOADS = {
    "ack-only": ("/claim", "{one}"),
    "claim-one": ("/claim", "{one}"),
    "claim-many": ("/claim", "{many}"),
    "stats": ("/stats", "IA"),
}


# ---------------------------------------------------------------- the stand-in, in a child


def _stand_in(url: str, people: list[str], pipe: Connection) -> None:
    """Runs in the child: Slack's side, seeded, answering until told to stop."""
    from http.server import ThreadingHTTPServer

    from bot.localslack.webapi import LocalSlack

    ThreadingHTTPServer.request_queue_size = 1024
    slack = LocalSlack(token=TOKEN).start()
    slack.add_channel(CHANNEL, "iowa")
    for user in people:
        slack.add_person(user, user.lower(), real_name=f"Volunteer {user}")
    one, many = seed(url, slack)
    pipe.send((slack.api_url, slack.response_url("{token}"), one, many))
    while True:
        ask = pipe.recv()
        if ask == "stop":
            break
        pipe.send({method: len(slack.calls_to(method)) for method in ask})
    slack.stop()


# ---------------------------------------------------------------- requests


def body_for(command: str, text: str, user: str, n: int, response_url: str) -> bytes:
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "channel_id": CHANNEL,
            "channel_name": "iowa",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0TURNOUT",
            "response_url": response_url.replace("{token}", f"t{n}"),
            "trigger_id": f"trigger.{n}",
        }
    ).encode()


def call(app: Callable[..., Iterable[bytes]], body: bytes) -> tuple[str, bytes]:
    stamp = int(time.time())
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": str(stamp),
        "HTTP_X_SLACK_SIGNATURE": sign(body.decode(), stamp),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
    }
    status: list[str] = []

    def start_response(line: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
        status.append(line)

    answer = b"".join(app(environ, start_response))
    return status[0], answer


def drive(app: Callable[..., Iterable[bytes]], bodies: list[bytes], threads: int) -> list[tuple[str, bytes]]:
    """Every body sent once, from `threads` threads at once; the answers, in order."""
    answers: list[tuple[str, bytes]] = [("", b"")] * len(bodies)
    position = iter(range(len(bodies)))
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                n = next(position, None)
            if n is None:
                return
            answers[n] = call(app, bodies[n])

    running = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return answers


# ---------------------------------------------------------------- measuring


class Statements:
    """SQL statements the app's engine runs, counted (and, when asked, kept)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.count = 0
        self.keep = False
        self.kept: list[str] = []
        self._lock = threading.Lock()
        event.listen(engine, "before_cursor_execute", self._seen)
        event.listen(engine, "commit", self._committed)
        event.listen(engine, "begin", self._begun)
        # Prepared statements go straight to the driver, past the engine's events: counted here.
        straight = Prepared.run

        def prepared(statement: Prepared, session: Any, params: dict[str, Any] | None = None) -> Any:
            self._note(statement.compiled(engine.dialect).sql)
            return straight(statement, session, params)

        Prepared.run = prepared  # type: ignore[method-assign,assignment]

    def _note(self, text: str) -> None:
        with self._lock:
            self.count += 1
            if self.keep:
                self.kept.append(" ".join(text.split())[:160])

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self._note(statement)

    def _committed(self, _conn: Any) -> None:
        self._note("COMMIT")

    def _begun(self, _conn: Any) -> None:
        self._note("BEGIN")


def settle(deps: Any, pool: Any) -> None:
    """Wait for the work behind the replies: the listener pool idle, every redraw drawn."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        busy = pool._work_queue.qsize() if pool is not None else 0
        if busy == 0 and (deps is None or deps.redraws.wait_idle(timeout=5)):
            time.sleep(0.3)  # the last listener's tail, the redraws' last read
            if (pool is None or pool._work_queue.qsize() == 0) and (
                deps is None or deps.redraws.wait_idle(timeout=0.1)
            ):
                return
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--workloads", default="ack-only,claim-one,claim-many,stats")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per workload")
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--new-share", type=float, default=0.2)
    parser.add_argument("--statements", action="store_true", help="list one request's statements")
    parser.add_argument("--py-spy", metavar="FILE", help="record a flame graph of the measured requests")
    args = parser.parse_args()
    workloads = args.workloads.split(",")

    url = fresh_database(args.db, SCHEMA)
    per = args.requests + args.warmup + 1
    people = {name: [f"U{i}{n:06d}" for n in range(per)] for i, name in enumerate(workloads)}
    every = round(1 / args.new_share) if args.new_share > 0 else 0
    known = [u for users in people.values() for n, u in enumerate(users) if not every or n % every]
    add_known_volunteers(url, known)

    context = multiprocessing.get_context("fork")
    here, there = context.Pipe()
    child = context.Process(target=_stand_in, args=(url, [u for v in people.values() for u in v], there))
    child.start()
    try:
        api_url, response_url, one, many = here.recv()
        os.environ.update(server_env(SimpleNamespace(api_url=api_url), url, 3000))  # type: ignore[arg-type]
        run_workloads(args, workloads, url, people, here, api_url, response_url, one, many)
    finally:
        here.send("stop")
        child.join(timeout=10)


def run_workloads(
    args: argparse.Namespace,
    workloads: list[str],
    url: str,
    people: dict[str, list[str]],
    here: Connection,
    api_url: str,
    response_url: str,
    one: int,
    many: list[int],
) -> None:

    from bot.cli.app import build_app, build_wsgi
    from bot.config import Settings
    from bot.deps import make_deps

    settings = Settings.from_env(require_slack=True)
    deps = make_deps(settings)
    turnout = build_wsgi(build_app(deps), deps)
    pool = None
    statements = Statements(deps.engine)
    import bench.ack_only as ack_only

    ack_app = ack_only.build()

    print(f"{args.db}: {args.requests} requests per workload, {args.threads} threads, "
          f"{args.new_share:.0%} new people")  # fmt: skip
    print("| workload | CPU ms/req | statements/req | chat.update/req | users.info/req | answered in ack |")
    print("|---|---|---|---|---|---|")
    for name in workloads:
        command, text = WORKLOADS[name]
        users = people[name]
        bodies = [
            body_for(command, text.format(one=one, many=many[n % len(many)]), user, n, response_url)
            for n, user in enumerate(users)
        ]
        app: Callable[..., Iterable[bytes]] = ack_app if name == "ack-only" else turnout
        if name != "ack-only":
            pool = _listener_pool(turnout)
        drive(app, bodies[: args.warmup], args.threads)
        settle(None if name == "ack-only" else deps, pool)
        if args.statements and name != "ack-only":
            statements.keep, statements.kept = True, []
            call(app, bodies[args.warmup])
            settle(deps, pool)
            statements.keep = False
            print(f"\n{name}: one request's statements")
            for line in statements.kept:
                print("   ", line)
            print()
        here.send(["chat.update", "users.info"])
        before_calls = here.recv()
        before_statements = statements.count
        spy = _spy(args.py_spy, name) if args.py_spy else None
        started = time.process_time()
        answers = drive(app, bodies[args.warmup + 1 :], args.threads)
        settle(None if name == "ack-only" else deps, pool)
        cpu = time.process_time() - started
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
            spy.wait()
        here.send(["chat.update", "users.info"])
        after_calls = here.recv()
        n = len(answers)
        in_ack = sum(1 for status, body in answers if status.startswith("200") and body)
        bad = Counter(status for status, _ in answers if not status.startswith("200"))
        row = [
            name,
            f"{1000 * cpu / n:.2f}",
            f"{(statements.count - before_statements) / n:.1f}",
            f"{(after_calls['chat.update'] - before_calls['chat.update']) / n:.3f}",
            f"{(after_calls['users.info'] - before_calls['users.info']) / n:.3f}",
            f"{in_ack}/{n}" + (f" {dict(bad)}" if bad else ""),
        ]
        print("| " + " | ".join(row) + " |", flush=True)


def _listener_pool(_app: Any) -> Any:
    import gc
    from concurrent.futures import ThreadPoolExecutor

    for thing in gc.get_objects():
        if isinstance(thing, ThreadPoolExecutor) and thing._thread_name_prefix == "listener":
            return thing
    return None


def _spy(path: str, name: str) -> subprocess.Popen[bytes]:
    root, ext = os.path.splitext(path)
    out = f"{root}-{name}{ext or '.svg'}"
    command = [
        shutil.which("py-spy") or "py-spy",
        "record",
        "--pid",
        str(os.getpid()),
        "--rate",
        "250",
        "--gil",
    ]
    # FILE.txt: collapsed stacks, one line each, to read or grep; else an SVG flame graph.
    command += ["--output", out, "--nonblocking", *(["--format", "raw"] if ext == ".txt" else [])]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # py-spy attaching
    return spy


if __name__ == "__main__":
    main()
