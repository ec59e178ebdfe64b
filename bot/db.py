"""Engines, sessions and migrations.

SQLite is tuned for a bot's concurrency: WAL (readers never wait for the writer), a busy
timeout, foreign keys on, and write transactions that take the write lock up front
(`BEGIN IMMEDIATE`), so a read-then-write such as a claim never fails half-way with
"database is locked". Read-only work uses `read_session`, which begins deferred.
Writers queue for SQLite's lock on a lock file beside the database (`WriterLock`), so the
next one starts the moment the last one commits, in whichever process it runs.
PostgreSQL goes through psycopg 3; its row locks do the same job there.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import logging
import os
import random
import select
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, overload

import psycopg
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
# A pooled PostgreSQL connection idle this long is pinged before it is handed out (see
# `_check_on_checkout`); one in steady use is not.
PING_AFTER_IDLE_SECONDS = 30.0

SessionFactory = Callable[[], AbstractContextManager[Session]]


def create_db_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """An engine for `url`, configured for Turnout's transaction rules."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
                "factory": _SQLiteConnection,
            },
            **kwargs,
        )
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    engine = sa.create_engine(url, **kwargs)
    _check_on_checkout(engine, PING_AFTER_IDLE_SECONDS)
    return engine


def _check_on_checkout(engine: Engine, ping_after_idle: float) -> None:
    """A PostgreSQL connection is checked as the pool hands it out, without a round trip when
    nothing suggests it is broken.

    SQLAlchemy's `pool_pre_ping` sends a statement on every checkout: one round trip more for
    every command, which under a surge cost about a fifth of the rate of `/log`s a worker could
    answer. A server that ends a connection (restarted, or the backend terminated) says so on
    its socket (its last message, then the end of the stream), so a socket with something to
    read while its connection sat in the pool is as good as a failed ping; so is a connection
    idle long enough for something on the way to have dropped it silently. Only those are
    pinged; one found broken is replaced, with every other connection pooled before it, as
    `pool_pre_ping` would. A connection broken in a way its socket does not show yet fails its
    command, which is answered as any database error is, and SQLAlchemy replaces the pool's
    connections after it."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None:  # just connected
            return
        if time.monotonic() - idle_since < ping_after_idle and not _readable(dbapi_connection):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except psycopg.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):  # type: ignore[arg-type]
                raise sa.exc.InvalidatePoolError() from error
            raise


def _readable(dbapi_connection: Any) -> bool:
    """Whether an idle connection's socket has anything to read (or is closed), asked without
    waiting."""
    try:
        descriptor = dbapi_connection.fileno()
    except psycopg.Error:  # already closed
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


class WriterLock:
    """One SQLite writer at a time, queued on the operating system's lock of a file beside the
    database (`flock` on `DATABASE-writer`), across the threads of this process and every other
    process using the database.

    SQLite's own lock stays what keeps writes apart; this only decides who tries next. A writer
    that finds SQLite's lock taken sleeps in SQLite's busy handler, in steps that grow to 100 ms,
    so under load the lock sits free while the next writer sleeps on, and the writer that has
    waited longest is not the one that gets it. Queued on the file lock, a waiter wakes the
    moment the writer before it commits. Within a process, writers queue on a thread lock first
    (`flock` would let two threads of one process hold it at once through one open file), for at
    most the busy timeout: past that, a writer goes straight to SQLite's lock as it did before.
    The wait for the file lock has no time limit: a write in another process that never ends
    (a process stopped mid-transaction) holds the writers behind it until it does, where with
    SQLite's lock alone they would fail after the busy timeout. A process that ends, however it
    ends, lets go of the file lock with it."""

    def __init__(self, database: str, timeout: float) -> None:
        self.path = f"{database}-writer"
        self.timeout = timeout
        self._turn = threading.Lock()
        self._file: int | None = None
        self._pid = 0
        # A forked child (a web server's worker) starts with no turn held: a thread of the parent
        # holding it at the fork would never let go of it in the child.
        mine = weakref.ref(self)

        def forked() -> None:
            lock = mine()
            if lock is not None:
                lock._forked()

        os.register_at_fork(after_in_child=forked)

    def _forked(self) -> None:
        self._turn = threading.Lock()
        if self._file is not None:
            # The parent's open file: closing this copy leaves the parent's lock as it is.
            with contextlib.suppress(OSError):
                os.close(self._file)
            self._file = None

    def acquire(self) -> bool:
        """Wait for this writer's turn; False when it did not come within the timeout."""
        if not self._turn.acquire(timeout=self.timeout):
            logger.warning(
                "SQLite writers queued longer than %.0f s; trying SQLite's lock directly", self.timeout
            )
            return False
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        except BaseException:
            self._turn.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._turn.release()

    def _descriptor(self) -> int:
        # A forked process (a web server's worker) opens its own: a descriptor inherited across a
        # fork shares its lock with the parent, so the two would not keep each other out.
        if self._file is None or self._pid != os.getpid():
            self._file = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._file


class _SQLiteConnection(sqlite3.Connection):
    """A connection that lets go of its turn as a writer (`WriterLock`) when its transaction
    ends, however it ends: commit, rollback (the pool rolls back a connection it gets back), or
    the connection closed."""

    writer: WriterLock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.end_write()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.end_write()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.end_write()

    def end_write(self) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.release()


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    database = engine.url.database
    writers = (
        WriterLock(str(Path(database).resolve()), busy_timeout_ms / 1000)
        if database not in (None, "", ":memory:") and not str(database).startswith("file:")
        else None
    )

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
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None
        if connection.get_execution_options().get(READ_ONLY, False):
            # Straight on the driver, as the write path below: every read transaction begins
            # here, and through SQLAlchemy's execution this one statement would cost more than
            # the reads after it.
            try:
                dbapi_connection.execute("BEGIN DEFERRED")
            except sqlite3.Error as error:  # as SQLAlchemy's execution would raise it
                raise sa.exc.DBAPIError.instance(
                    "BEGIN DEFERRED", (), error, sqlite3.Error, dialect=engine.dialect
                ) from error
            return
        # The write lock is taken here, before the unit of work has run a statement, and WAL
        # writers never wait again once they hold it: so beginning again retries the whole unit.
        queued = isinstance(dbapi_connection, _SQLiteConnection)
        if writers is not None and queued and dbapi_connection.writer is None and writers.acquire():
            dbapi_connection.writer = writers
        try:
            for attempt in range(SQLITE_LOCK_RETRIES + 1):
                try:
                    dbapi_connection.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "database is locked" not in str(error) or attempt == SQLITE_LOCK_RETRIES:
                        raise
                    logger.warning("SQLite write lock busy; beginning again (attempt %d)", attempt + 2)
                    time.sleep(SQLITE_LOCK_BACKOFF_SECONDS * 2**attempt * (1 + random.random()))
        except BaseException:
            if queued:
                dbapi_connection.end_write()
            raise


def session_factory(engine: Engine) -> tuple[SessionFactory, SessionFactory]:
    """(write session, read session): each commits on success and rolls back on error.

    On PostgreSQL a read session's statements run in autocommit: read committed gives each
    statement a snapshot of its own, in a transaction or not, so a read transaction would add
    nothing but its `BEGIN` and its `COMMIT`, two round trips of every read session's (a
    `/stats` made six). A read session writes nothing."""
    reader = engine.execution_options(**{READ_ONLY: True})
    if engine.dialect.name == "postgresql":
        reader = reader.execution_options(isolation_level="AUTOCOMMIT")

    def make(bind: Engine) -> SessionFactory:
        @contextmanager
        def open_session() -> Iterator[Session]:
            with Session(bind, expire_on_commit=False) as session:
                yield from _committed(session)

        return open_session

    return make(engine), make(reader)


def writer_sessions(engine: Engine) -> SessionFactory:
    """Write sessions for SQLite's one writer at a time (`bot.groupcommit`), all on one
    connection kept out of the pool between their transactions: each still begins, commits or
    rolls back as `session_factory`'s do, without checking a connection out of the pool and
    back in every time. Should two ever be opened at once, the second waits for the first.

    A connection SQLAlchemy found broken is given back and the next session takes a new one; so
    is one inherited through a fork, which belongs to the parent."""
    turn = threading.Lock()
    held: dict[str, Any] = {}

    @contextmanager
    def open_session() -> Iterator[Session]:
        with turn:
            connection: sa.Connection | None = held.get("connection")
            if connection is None or held.get("pid") != os.getpid() or connection.invalidated:
                if connection is not None and held.get("pid") == os.getpid():
                    connection.close()
                held.clear()
                connection = engine.connect()
                held.update(connection=connection, pid=os.getpid())
            try:
                with Session(connection, expire_on_commit=False) as session:
                    yield from _committed(session)
            except BaseException:
                # A COMMIT that failed (a full disk, an I/O error) leaves SQLite's transaction
                # open, and with it the database's write lock, where SQLAlchemy's rollback no
                # longer reaches it. The connection goes back to the pool, whose reset rolls the
                # driver back, and the next session takes another.
                held.clear()
                connection.close()
                raise

    return open_session


def _committed(session: Session) -> Iterator[Session]:
    """A session's unit of work: committed if it ends well, rolled back however else it ends."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def statement_sessions(engine: Engine) -> SessionFactory:
    """Sessions for work whose every write is one statement, complete on its own (an upsert, a
    log written with its rollups in one statement): on PostgreSQL each statement commits as it
    runs (autocommit), so a row it locks is held only while the server runs it, not until the
    bot gets round to committing; on SQLite they are ordinary write sessions."""
    if engine.dialect.name != "postgresql":
        return session_factory(engine)[0]
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))[0]


@overload
def run(session: Session, statement: Prepared, params: dict[str, Any] | None = None) -> Rows: ...


@overload
def run(
    session: Session, statement: sa.Executable, params: dict[str, Any] | None = None
) -> sa.CursorResult[Any]: ...


def run(
    session: Session, statement: sa.Executable | Prepared, params: dict[str, Any] | None = None
) -> sa.CursorResult[Any] | Rows:
    """Run a Core statement built once with bound parameters (so its compiled form is cached)
    on the session's connection: the hot paths' way, without the ORM's work on every call.
    Changes pending in the session are flushed first, as `Session.execute` would. A `Prepared`
    statement goes straight to the driver (see there)."""
    if isinstance(statement, Prepared):
        return statement.run(session, params)
    session.flush()  # pending changes first; with none it returns at once (cheaper than asking which)
    return session.connection().execute(statement, params or {})


class Row(tuple):  # type: ignore[type-arg]
    """A row read by `Prepared`: a tuple whose columns are also attributes, like SQLAlchemy's."""

    __slots__ = ()
    _index: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class Rows:
    """What `Prepared.run` returns: the statement's rows, read at once."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def all(self) -> list[Row]:
        return self.rows

    def first(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def one(self) -> Row:
        if len(self.rows) != 1:
            raise (
                sa.exc.NoResultFound("expected one row")
                if not self.rows
                else sa.exc.MultipleResultsFound("expected one row")
            )
        return self.rows[0]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: tuple[str, ...] | None  # bind names in order (SQLite's ?, PostgreSQL's $1), or None: by name
    defaults: dict[str, Any]  # the values of binds the statement holds itself (a literal 0)
    bind: dict[str, Callable[[Any], Any]]  # the type's conversion for the driver, where it has one
    row: type[Row] | None  # None: no rows come back
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # columns converted from the driver's value


class Prepared:
    """A Core statement run straight on the driver's cursor: compiled once per dialect with
    SQLAlchemy (so it is written, typed and reviewed like any other statement), then each call
    is one `cursor.execute` with the types' own conversions, and nothing else. For the busiest
    paths (every /log), where SQLAlchemy's per-execution work (execution context, result
    metadata, events) costs more than the database does. An `IN` list must be the statement's
    own constants (`status.in_(HOLDING)`): one given at each call is not supported."""

    def __init__(self, statement: sa.Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: sa.Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = self._compile(dialect)
        return found

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        statement: Any = self.statement
        if dialect.name == "postgresql":
            dialect = _numbered(dialect)
        compiled: Any = statement.compile(dialect=dialect)
        binds = compiled.bind_names  # BindParameter -> its name in the SQL
        sql = compiled.string
        positional = tuple(compiled.positiontup) if compiled.positional else None
        processors: dict[str, Callable[[Any], Any]] = {}
        for bind, name in binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None and not bind.expanding:
                processors[name] = processor
        defaults = {
            name: bind.effective_value
            for bind, name in binds.items()
            if not (bind.required or bind.expanding)
        }
        expanding = [bind for bind in binds if bind.expanding]
        if any(bind.required for bind in expanding):
            raise ValueError("Prepared does not support expanding binds given at each call")
        if expanding:
            # `IN` lists of constants (`status.in_(HOLDING)`): SQLAlchemy's own post-compile step
            # writes them out once, one bind per value, as it would on every execution.
            required = {name for bind, name in binds.items() if bind.required}
            expanded = compiled.construct_expanded_state(params=dict.fromkeys(required))
            sql = expanded.statement
            positional = tuple(expanded.positiontup) if expanded.positiontup is not None else None
            defaults.update({k: v for k, v in expanded.parameters.items() if k not in required})
            processors.update(expanded.processors)
        # An INSERT's columns left out take their model defaults, as SQLAlchemy would fill them in.
        for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
            default = column.default if column in compiled.insert_prefetch else column.onupdate
            if default is None or not default.is_scalar:
                raise ValueError(f"Prepared supports only constant defaults ({column.key})")
            defaults[column.key] = default.arg
        row: type[Row] | None = None
        results: list[tuple[int, Callable[[Any], Any]]] = []
        columns = getattr(compiled, "_result_columns", None) or []
        if columns:
            keys = [entry[0] for entry in columns]
            row = type("Row", (Row,), {"__slots__": (), "_index": {k: n for n, k in enumerate(keys)}})
            for n, entry in enumerate(columns):
                processor = entry[3].dialect_impl(dialect).result_processor(dialect, None)
                if processor is not None:
                    results.append((n, processor))
        return _Compiled(sql, positional, defaults, processors, row, tuple(results))

    def run(self, session: Session | sa.Connection, params: dict[str, Any] | None = None) -> Rows:
        """Run on the session's connection (its transaction begun as `Session.execute` would
        begin it, pending ORM changes flushed first); the rows, read at once."""
        connection = _connection_of(session) if isinstance(session, Session) else session
        dialect = connection.dialect
        compiled, values = self._bound(dialect, params)
        cursor = _cursor(connection)
        try:
            self._execute(cursor, compiled, values)
            fetched = cursor.fetchall() if compiled.row is not None else []
        except dialect.loaded_dbapi.Error as error:
            # As SQLAlchemy raises it (IntegrityError, OperationalError…), so callers catch one kind.
            raise sa.exc.DBAPIError.instance(
                compiled.sql, values, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        finally:
            cursor.close()
        return self._rows(compiled, fetched)

    def _bound(self, dialect: sa.Dialect, params: dict[str, Any] | None) -> tuple[_Compiled, Any]:
        """The statement compiled for `dialect`, and `params` as its driver takes them."""
        compiled = self.compiled(dialect)
        values = {**compiled.defaults, **(params or {})}
        for name, processor in compiled.bind.items():
            values[name] = processor(values[name])
        if compiled.positional is not None:
            return compiled, [values[name] for name in compiled.positional]
        return compiled, values

    def _execute(self, cursor: Any, compiled: _Compiled, values: Any) -> None:
        """The one place a prepared statement reaches the driver (and tests count statements)."""
        cursor.execute(compiled.sql, values)

    @staticmethod
    def _rows(compiled: _Compiled, fetched: list[Any]) -> Rows:
        if compiled.row is None:
            return Rows([])
        make, converts = compiled.row, compiled.results
        if not converts:
            return Rows([make(r) for r in fetched])
        rows = []
        for raw in fetched:
            line = list(raw)
            for n, processor in converts:
                line[n] = processor(line[n])
            rows.append(make(line))
        return Rows(rows)


def run_and_commit(session: Session, steps: list[tuple[Prepared, dict[str, Any]]]) -> list[Rows]:
    """PostgreSQL: `steps`' statements, in order, then the session's transaction committed, all
    sent in one exchange with the server (psycopg's pipeline mode); each statement's rows. A row
    lock the first takes is held for no wait on the network: the statements are bound before
    the first is sent, and each goes out as it is queued, the commit with the last. Each
    statement is still one of its own, with its own snapshot, so one sees what the one before
    it locked and changed.

    The transaction ends here: anything the session does after begins one of its own (so call
    it with nothing left to write). A statement that fails is raised as SQLAlchemy raises the
    driver's errors, with nothing committed: the transaction is left failed, for the caller to
    roll back (as a session's context does)."""
    connection = _connection_of(session)
    dialect = connection.dialect
    raw: psycopg.Connection[Any] = connection.connection.dbapi_connection  # type: ignore[assignment]
    bound = [(statement, *statement._bound(dialect, params)) for statement, params in steps]
    sent: list[tuple[_Compiled, Any]] = []
    try:
        with raw.pipeline():
            for statement, compiled, values in bound:
                cursor = psycopg.RawCursor(raw)
                sent.append((compiled, cursor))
                statement._execute(cursor, compiled, values)
            raw.commit()
        return [Prepared._rows(c, cursor.fetchall() if c.row is not None else []) for c, cursor in sent]
    except psycopg.Error as error:
        sql = ";\n".join(c.sql for c, _ in sent)
        raise sa.exc.DBAPIError.instance(sql, None, error, psycopg.Error, dialect=dialect) from error
    finally:
        for _, cursor in sent:
            cursor.close()


def _cursor(connection: sa.Connection) -> Any:
    """A cursor on the connection's driver connection: psycopg's `RawCursor` on PostgreSQL,
    which sends the statement's numbered placeholders as written."""
    dbapi_connection: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        return psycopg.RawCursor(dbapi_connection)
    return dbapi_connection.cursor()


def _numbered(dialect: sa.Dialect) -> sa.Dialect:
    """The PostgreSQL dialect writing PostgreSQL's own numbered placeholders ($1, $2…), which
    psycopg's `RawCursor` sends as written. With psycopg's usual `%(name)s`, the driver rewrites
    the query on every execution of one longer than 4 KB (it caches only shorter ones): 0.15 ms
    for the 7 KB statement that writes a log with its rollups, a tenth of a log's CPU."""
    numbered = copy.copy(dialect)
    numbered.paramstyle = "numeric_dollar"
    numbered.positional = True
    # What the dialect built for its placeholders is built again for these: its quoting, which
    # doubles every `%` for `%(name)s`, and its types' processors (a string literal's doubles
    # them too), memoized per dialect and not to be shared with the original's.
    numbered.identifier_preparer = numbered.preparer(numbered)
    numbered.type_compiler_instance = numbered.type_compiler_cls(numbered)
    vars(numbered)["_type_memos"] = weakref.WeakKeyDictionary()
    return numbered


_CONNECTION = "turnout_connection"


def _connection_of(session: Session) -> sa.Connection:
    """The session's connection, as `Session.execute` would use it (pending changes flushed,
    the transaction begun), remembered for as long as the session's transaction lasts."""
    session.flush()  # pending changes first; with none it returns at once (cheaper than asking which)
    transaction = session.get_transaction()
    known = session.info.get(_CONNECTION)
    if transaction is not None and known is not None and known[0] is transaction:
        connection: sa.Connection = known[1]
        return connection
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


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


# What a database that is down, restarting or out of reach raises, from SQLAlchemy or the driver.
UNREACHABLE_ERRORS: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database could not be reached."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, UNREACHABLE_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
