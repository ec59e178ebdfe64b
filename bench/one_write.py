"""A floor under the load bench's write commands: a Bolt app, behind the same WSGI front as
Turnout, that for each slash command commits one row and answers in its ack, doing nothing else.

    gunicorn --worker-class gthread … 'bench.one_write:build()'

It verifies Slack's signature as Turnout and the ack-only app do, then inserts the command's
team, user and text into `bench_write` (made empty by the load bench's `--floor`) on a connection of its own per
thread, straight on the driver, the statement committing as it runs (SQLite in WAL mode with
Turnout's settings; PostgreSQL in autocommit), and acks with a one-line reply. No reads, no
rollups, no pool, no ORM: no way of recording a command in a transaction of its own and
answering it costs less, so the ratio this app reaches is the ceiling for a command that
commits its own transaction before it answers. (Several commands' rows committed together,
as Turnout's logs are on SQLite, `bot/groupcommit.py`, are not bound by it.)"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import psycopg
from slack_bolt import Ack

from bench import ack_only
from bench.load_bench import FLOOR_TABLE
from bot.cli.app import WSGIApp
from bot.config import Settings

_connections = threading.local()


def _connection(url: str) -> Any:
    connection = getattr(_connections, "one", None)
    if connection is None:
        if url.startswith("sqlite"):
            connection = sqlite3.connect(
                url.split(":///", 1)[1], isolation_level=None, check_same_thread=False
            )
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=15000"):
                connection.execute(f"PRAGMA {pragma}")
        else:
            connection = psycopg.connect(
                url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
            )
        _connections.one = connection
    return connection


def build() -> WSGIApp:
    """The ack-only app, each command recorded before its ack."""
    settings = Settings.from_env(require_slack=True)
    url = settings.database_url
    mark = "?" if url.startswith("sqlite") else "%s"
    insert = f"INSERT INTO {FLOOR_TABLE} (team_id, user_id, text) VALUES ({mark}, {mark}, {mark})"

    def write(ack: Ack, command: dict[str, Any]) -> None:
        _connection(url).execute(insert, (command["team_id"], command["user_id"], command["text"]))
        ack(text="Recorded.")

    return ack_only.build(write, settings)
