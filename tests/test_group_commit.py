"""Group commit (`bot.groupcommit`): writes from many threads share a transaction, each is
answered exactly once after the commit that holds it, and a failure inside a batch neither
loses nor doubles the others. On SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.db import SessionFactory, create_db_engine, session_factory, writer_sessions
from bot.groupcommit import GroupCommit
from bot.models import Volunteer
from tests.factories import TEAM

WHEN = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)


def add(user_id: str, *, fail: bool = False) -> Callable[[Session], str]:
    """A unit of work: one volunteer row (and, if `fail`, a second copy of it, which the
    primary key refuses after the first was written)."""

    def work(session: Session) -> str:
        for _ in range(2 if fail else 1):
            session.connection().execute(
                sa.insert(Volunteer.__table__).values(  # type: ignore[attr-defined]
                    team_id=TEAM, id=user_id, created_at=WHEN, profile_updated_at=WHEN
                )
            )
        return user_id

    return work


def ids(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(sa.select(Volunteer.__table__.c.id)).scalars())  # type: ignore[attr-defined]


def queued(writes: GroupCommit, count: int) -> None:
    """Wait until `count` units wait behind the write under way."""
    for _ in range(500):
        with writes._turn:
            if len(writes._pending) >= count:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the units never queued")


def batch_behind_a_held_write(
    writes: GroupCommit, units: list[Callable[[Session], str]]
) -> tuple[dict[int, object], Callable[[], None]]:
    """Start a write that holds until released, queue `units` behind it (they become one
    batch), and return their outcomes (filled in once released) and the release."""
    go = threading.Event()
    outcomes: dict[int, object] = {}

    def held(session: Session) -> str:
        go.wait(10)
        return add("UFIRST")(session)

    def submit(n: int, work: Callable[[Session], str]) -> None:
        try:
            outcomes[n] = writes.run(work)
        except Exception as error:
            outcomes[n] = error

    threads = [threading.Thread(target=submit, args=(-1, held))]
    threads[0].start()
    while not writes._writing:
        threading.Event().wait(0.005)
    for n, work in enumerate(units):
        thread = threading.Thread(target=submit, args=(n, work))
        thread.start()
        threads.append(thread)
        queued(writes, n + 1)

    def release() -> None:
        go.set()
        for thread in threads:
            thread.join(10)

    return outcomes, release


def pooled(engine: Engine) -> SessionFactory:
    return session_factory(engine)[0]


# Sessions from the pool, and the single writer's held connection (SQLite's group commit).
FACTORIES = pytest.mark.parametrize("sessions", [pooled, writer_sessions], ids=["pooled", "writer"])


@FACTORIES
def test_waiting_writes_share_one_commit_and_each_gets_its_own_answer(
    engine: Engine, sessions: Callable[[Engine], SessionFactory]
) -> None:
    writes = GroupCommit(sessions(engine))
    outcomes, release = batch_behind_a_held_write(writes, [add(f"U{n}") for n in range(6)])
    release()
    assert outcomes == {-1: "UFIRST", **{n: f"U{n}" for n in range(6)}}
    assert ids(engine) == sorted(["UFIRST", *(f"U{n}" for n in range(6))])
    assert (writes.batches, writes.replays) == (1, 0)


@FACTORIES
def test_a_failure_in_a_batch_loses_and_doubles_nothing(
    engine: Engine, sessions: Callable[[Engine], SessionFactory]
) -> None:
    writes = GroupCommit(sessions(engine))
    units = [add("U0"), add("U1"), add("UBAD", fail=True), add("U3")]
    outcomes, release = batch_behind_a_held_write(writes, units)
    release()
    assert isinstance(outcomes[2], sa.exc.IntegrityError)
    assert {n: outcomes[n] for n in (-1, 0, 1, 3)} == {-1: "UFIRST", 0: "U0", 1: "U1", 3: "U3"}
    # The failing unit wrote nothing (its first row went with its transaction); the others once.
    assert ids(engine) == ["U0", "U1", "U3", "UFIRST"]
    assert (writes.batches, writes.replays) == (0, 1)


def test_a_commit_that_fails_is_written_again_unit_by_unit(engine: Engine) -> None:
    write, _read = session_factory(engine)
    failures = iter([False, True])  # the held write commits; the batch's commit fails

    @contextmanager
    def flaky() -> Iterator[Session]:
        with write() as session:
            yield session
            if next(failures, False):
                session.rollback()
                raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    factory: SessionFactory = flaky
    writes = GroupCommit(factory)
    outcomes, release = batch_behind_a_held_write(writes, [add(f"U{n}") for n in range(3)])
    release()
    assert outcomes == {-1: "UFIRST", 0: "U0", 1: "U1", 2: "U2"}
    assert ids(engine) == ["U0", "U1", "U2", "UFIRST"]
    assert writes.replays == 1


@FACTORIES
def test_many_threads_each_write_exactly_once(
    engine: Engine, sessions: Callable[[Engine], SessionFactory]
) -> None:
    writes = GroupCommit(sessions(engine))
    outcomes: dict[str, object] = {}
    start = threading.Barrier(12)

    def worker(t: int) -> None:
        start.wait()
        for n in range(10):
            user_id = f"U{t:02d}{n:02d}"
            unit = add(user_id, fail=n == 7 and t % 4 == 0)
            try:
                outcomes[user_id] = writes.run(unit)
            except sa.exc.IntegrityError as error:
                outcomes[user_id] = error

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    failed = {u for u, o in outcomes.items() if isinstance(o, Exception)}
    assert failed == {f"U{t:02d}07" for t in range(0, 12, 4)}
    assert len(outcomes) == 120
    assert ids(engine) == sorted(u for u in outcomes if u not in failed)


def test_without_batching_each_unit_is_its_own_transaction(engine: Engine) -> None:
    writes = GroupCommit(session_factory(engine)[0], batching=False)
    assert writes.run(add("UONE")) == "UONE"
    with pytest.raises(sa.exc.IntegrityError):
        writes.run(add("UTWO", fail=True))
    assert ids(engine) == ["UONE"]


def test_the_writers_connection_found_broken_is_replaced(engine: Engine) -> None:
    """A write whose connection SQLAlchemy found broken fails alone; the next write takes a new
    connection and commits."""
    writes = GroupCommit(writer_sessions(engine))

    def broken(session: Session) -> str:
        add("ULOST")(session)
        session.connection().invalidate()
        raise sa.exc.OperationalError("INSERT", {}, Exception("the connection was lost"))

    with pytest.raises(sa.exc.OperationalError):
        writes.run(broken)
    assert writes.run(add("UNEXT")) == "UNEXT"
    assert ids(engine) == ["UNEXT"]


def test_the_writers_sessions_commit_or_roll_back_each_transaction(engine: Engine) -> None:
    sessions = writer_sessions(engine)
    with sessions() as session:
        add("UONE")(session)
    with pytest.raises(sa.exc.IntegrityError), sessions() as session:
        add("UTWO")(session)
        add("UONE")(session)  # a duplicate: the whole transaction goes
    with sessions() as session:
        add("UTHREE")(session)
    assert ids(engine) == ["UONE", "UTHREE"]


def test_a_commit_sqlite_refuses_leaves_the_writer_and_other_processes_able_to_write(tmp_path: Path) -> None:
    """A COMMIT that fails (here a deferred foreign key; in the field a full disk or an I/O
    error) leaves no transaction open on the writer's held connection: its next write commits,
    and another connection (another worker) can take the write lock."""
    path = tmp_path / "writer.db"
    engine = create_db_engine(f"sqlite:///{path}", busy_timeout_ms=300)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        connection.exec_driver_sql(
            "CREATE TABLE child (id INTEGER PRIMARY KEY,"
            " parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)"
        )
    sessions = writer_sessions(engine)
    with pytest.raises(sa.exc.IntegrityError), sessions() as session:
        session.connection().exec_driver_sql("INSERT INTO child VALUES (1, 99)")  # refused at COMMIT
    with sessions() as session:
        session.connection().exec_driver_sql("INSERT INTO parent VALUES (1)")
    other = sqlite3.connect(path, isolation_level=None, timeout=0.3)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO parent VALUES (2)")
    other.execute("COMMIT")
    assert [row[0] for row in other.execute("SELECT id FROM parent ORDER BY id")] == [1, 2]
    assert other.execute("SELECT count(*) FROM child").fetchone() == (0,)
    other.close()
    engine.dispose()
