"""The database's connection pool has a connection for every thread of a process that may hold
one at once: the web server's request threads, the listeners', and the background threads. With
fewer, a form (acked only once its counts are written, within Slack's 3 s) waited for a
connection while the listeners held them all, up to the pool's 30 s timeout."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

import bot.db
from bot.config import Settings
from bot.db import Prepared, create_db_engine, run, session_factory, statement_sessions
from bot.deps import BACKGROUND_THREADS, make_deps
from bot.workpool import LISTENER_THREADS
from tests.conftest import POSTGRES_URL


def test_every_thread_that_may_hold_a_connection_gets_one_at_once(db_url: str, settings: Settings) -> None:
    settings = replace(settings, database_url=db_url, web_threads=12)
    deps = make_deps(settings)
    engine = deps.engine
    assert isinstance(engine.pool, QueuePool)
    # Beyond the pool's own connections, a slow checkout raises at once instead of waiting.
    engine.pool._timeout = 0.5
    threads = settings.web_threads + LISTENER_THREADS + BACKGROUND_THREADS
    held = []
    try:
        for _ in range(threads):
            held.append(engine.connect())
        assert len(held) == threads
        # The pool keeps them for next time: none is opened and closed again under load.
        for connection in held:
            connection.close()
        held.clear()
        assert engine.pool.checkedin() == threads
    finally:
        for connection in held:
            connection.close()
        deps.lanes.shutdown()
        engine.dispose()


def _count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


@pytest.mark.postgresql
def test_a_connection_in_steady_use_is_not_pinged_each_time(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ping on every checkout is a round trip more for every command; one in use goes out as it is."""
    engine = create_db_engine(postgres_url, pool_size=1, max_overflow=0)
    pings = _count_pings(engine, monkeypatch)
    try:
        for n in range(5):
            with engine.connect() as connection:
                assert connection.execute(sa.text("SELECT :n"), {"n": n}).scalar() == n
        assert pings == []
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_connection_idle_a_while_is_pinged(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.db, "PING_AFTER_IDLE_SECONDS", 0.05)
    engine = create_db_engine(postgres_url, pool_size=1, max_overflow=0)
    pings = _count_pings(engine, monkeypatch)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        time.sleep(0.1)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 2")).scalar() == 2
        assert pings == [1]
    finally:
        engine.dispose()


def end_backend(pid: int) -> None:
    """Have the server end the connection served by `pid`, as a restart would, and wait until it has."""
    # Autocommit: within one transaction PostgreSQL answers pg_stat_activity from a snapshot
    # taken at its first read, so the wait below would never see the process go.
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as other:
            assert other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
            deadline = time.monotonic() + 5
            while other.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar():
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        admin.dispose()


@pytest.mark.postgresql
def test_a_connection_the_server_ended_is_replaced_before_it_is_used(postgres_url: str) -> None:
    """As after a database restart: the server ends the pooled connection while it sits idle,
    and the next command still runs, on a new connection, although the old one was idle for
    far less than the ping's threshold."""
    engine = create_db_engine(postgres_url, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:
            pid = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        end_backend(pid)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT pg_backend_pid()")).scalar() != pid
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_a_statement_session_after_its_connection_was_ended_runs_on_a_new_one(postgres_url: str) -> None:
    """The same for the sessions every `/log` writes in (autocommit, statements straight on the
    driver)."""
    engine = create_db_engine(postgres_url, pool_size=1, max_overflow=0)
    sessions = statement_sessions(engine)
    try:
        with sessions() as session:
            pid = session.connection().execute(sa.text("SELECT pg_backend_pid()")).scalar()
        end_backend(pid)
        with sessions() as session:
            assert run(session, _BACKEND, {}).scalar() != pid
    finally:
        engine.dispose()


_BACKEND = Prepared(sa.select(sa.func.pg_backend_pid()))


@pytest.mark.postgresql
def test_a_read_session_on_postgresql_costs_no_begin_or_commit(postgres_url: str) -> None:
    """Read committed gives each statement its own snapshot, so a read session's statements run
    in autocommit: no `BEGIN` before them and no `COMMIT` after, two round trips fewer. A write
    session still holds its statements in one transaction, and the pool hands the connection
    back to it as it was."""
    engine = create_db_engine(postgres_url, pool_size=1, max_overflow=0)
    write, read = session_factory(engine)
    try:
        with read() as session:
            session.connection().execute(sa.text("SELECT 1"))
            driver: Any = session.connection().connection.dbapi_connection
            assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with write() as session:
            session.connection().execute(sa.text("SELECT 1"))
            driver = session.connection().connection.dbapi_connection
            assert driver.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
    finally:
        engine.dispose()
