"""Engines, sessions and migrations.

SQLite is tuned for a bot's concurrency: WAL (readers never wait for the writer), a busy
timeout, foreign keys on, and write transactions that take the write lock up front
(`BEGIN IMMEDIATE`), so a read-then-write such as a claim never fails half-way with
"database is locked". Read-only work uses `read_session`, which begins deferred.
PostgreSQL goes through psycopg 3; its row locks do the same job there.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).parent / "migrations"
READ_ONLY = "turnout_read_only"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# SQLite's busy handler is not fair: under a burst of writers one can lose the lock race for the
# whole busy timeout. Its write transaction is then begun again, after a short, jittered pause.
SQLITE_LOCK_RETRIES = 4
SQLITE_LOCK_BACKOFF_SECONDS = 0.05

SessionFactory = Callable[[], AbstractContextManager[Session]]


def create_db_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """An engine for `url`, configured for Turnout's transaction rules."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **kwargs,
        )
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how each transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        if read_only:
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        # The write lock is taken here, before the unit of work has run a statement, and WAL
        # writers never wait again once they hold it: so beginning again retries the whole unit.
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        for attempt in range(SQLITE_LOCK_RETRIES + 1):
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "database is locked" not in str(error) or attempt == SQLITE_LOCK_RETRIES:
                    raise
                logger.warning("SQLite write lock busy; beginning again (attempt %d)", attempt + 2)
                time.sleep(SQLITE_LOCK_BACKOFF_SECONDS * 2**attempt * (1 + random.random()))


def session_factory(engine: Engine) -> tuple[SessionFactory, SessionFactory]:
    """(write session, read session): each commits on success and rolls back on error."""
    reader = engine.execution_options(**{READ_ONLY: True})

    def make(bind: Engine) -> SessionFactory:
        @contextmanager
        def open_session() -> Iterator[Session]:
            with Session(bind, expire_on_commit=False) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

        return open_session

    return make(engine), make(reader)


def statement_sessions(engine: Engine) -> SessionFactory:
    """Sessions for work whose every write is one statement, complete on its own (an upsert, a
    log written with its rollups in one statement): on PostgreSQL each statement commits as it
    runs (autocommit), so a row it locks is held only while the server runs it, not until the
    bot gets round to committing; on SQLite they are ordinary write sessions."""
    if engine.dialect.name != "postgresql":
        return session_factory(engine)[0]
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))[0]


def run(
    session: Session, statement: sa.Executable, params: dict[str, Any] | None = None
) -> sa.CursorResult[Any]:
    """Run a Core statement built once with bound parameters (so its compiled form is cached)
    on the session's connection: the hot paths' way, without the ORM's work on every call.
    Changes pending in the session are flushed first, as `Session.execute` would."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params or {})


def is_postgresql(session_or_engine: Session | Engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "postgresql"


def insert_for(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT, which offers ON CONFLICT on both SQLite and PostgreSQL."""
    return pg_insert if is_postgresql(session) else sqlite_insert


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Workspace(Protocol):
    """The Slack workspace a database's existing rows belong to (`auth.test`, or the admin's word)."""

    @property
    def team_id(self) -> str: ...

    @property
    def name(self) -> str: ...


class MigrationNeedsWorkspace(Exception):
    """The database holds one workspace's data and the upgrade was not told which workspace."""

    def __init__(self) -> None:
        super().__init__(
            "This database has Turnout data from one Slack workspace and the upgrade must know which. "
            "Run `turnout db upgrade` with SLACK_BOT_TOKEN set (it asks Slack), "
            "or `turnout db upgrade --team-id T0123ABCD`."
        )


def upgrade(url: str, revision: str = "head", *, team: Workspace | None = None) -> None:
    """Apply migrations up to `revision`. `team` is the workspace the rows already there belong
    to: migration 0011 gives it to every row (and refuses a database with rows and no team)."""
    config = alembic_config(url)
    if team is not None:
        config.attributes["turnout_team"] = team
    command.upgrade(config, revision)
