"""SQLite writers queue on a file lock beside the database, across threads and processes: the
next writer starts the moment the last one ends, and no write is lost or doubled."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db import create_db_engine, session_factory


def lock_taken(path: Path) -> bool:
    """Whether some writer holds the turn (another open file cannot take the lock)."""
    descriptor = os.open(f"{path}-writer", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "turnout.db"
    engine = create_db_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE note (body TEXT)"))
    engine.dispose()
    return path


@pytest.mark.parametrize("ending", ["commit", "rollback", "close"])
def test_a_write_transaction_holds_the_turn_until_it_ends(database: Path, ending: str) -> None:
    engine = create_db_engine(f"sqlite:///{database}")
    _write, read = session_factory(engine)
    with read() as session:
        session.execute(sa.text("SELECT count(*) FROM note"))
        assert not lock_taken(database), "a read never takes the writers' turn"
    connection = engine.connect()
    transaction = connection.begin()
    connection.execute(sa.text("INSERT INTO note VALUES ('x')"))
    assert lock_taken(database)
    if ending == "commit":
        transaction.commit()
    elif ending == "rollback":
        transaction.rollback()
    else:
        connection.invalidate()  # the connection closed under the transaction
    assert not lock_taken(database)
    connection.close()
    engine.dispose()


def test_a_unit_of_work_that_fails_gives_up_the_turn(database: Path) -> None:
    engine = create_db_engine(f"sqlite:///{database}")
    write, _read = session_factory(engine)
    with pytest.raises(ZeroDivisionError), write() as session:
        session.execute(sa.text("INSERT INTO note VALUES ('x')"))
        assert lock_taken(database)
        _ = 1 / 0
    assert not lock_taken(database)
    with write() as session:  # the next unit writes at once
        session.execute(sa.text("INSERT INTO note VALUES ('y')"))
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT body FROM note")).scalars().all() == ["y"]
    engine.dispose()


def test_a_begin_that_fails_gives_up_the_turn(database: Path) -> None:
    engine = create_db_engine(f"sqlite:///{database}", busy_timeout_ms=20)
    write, _read = session_factory(engine)
    other = sqlite3.connect(database, isolation_level=None)  # a writer that does not queue
    other.execute("BEGIN IMMEDIATE")
    try:
        # Raised from the transaction's BEGIN, as the driver raised it.
        with pytest.raises(sqlite3.OperationalError, match="database is locked"), write() as session:
            session.execute(sa.text("SELECT 1"))
        assert not lock_taken(database)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with write() as session:  # and the next writer gets its turn
        session.execute(sa.text("INSERT INTO note VALUES ('after')"))
    engine.dispose()


def test_a_writer_in_another_process_waits_its_turn_however_long_the_write_before_it(
    database: Path,
) -> None:
    """Queued on the turn, not napping in SQLite's busy handler: a writer whose busy timeout and
    retries are spent long before the write ahead of it ends still writes, straight after it."""
    first_engine = create_db_engine(f"sqlite:///{database}")
    # As another process would be: its own engine, with a busy timeout far shorter than the wait.
    second_engine = create_db_engine(f"sqlite:///{database}", busy_timeout_ms=20)
    holder = first_engine.connect()
    held = holder.begin()
    holder.execute(sa.text("INSERT INTO note VALUES ('first')"))
    write, _read = session_factory(second_engine)
    failed: list[BaseException] = []

    def second() -> None:
        try:
            with write() as session:
                session.execute(sa.text("INSERT INTO note VALUES ('second')"))
        except BaseException as error:
            failed.append(error)

    waiter = threading.Thread(target=second)
    waiter.start()
    # Longer than SQLite's busy timeout and every retry after it (bot.db.SQLITE_LOCK_RETRIES).
    time.sleep(2.5)
    assert waiter.is_alive(), "the second writer waits for the first"
    held.commit()
    holder.close()
    waiter.join(10)
    assert not failed
    with first_engine.connect() as connection:
        notes = connection.execute(sa.text("SELECT body FROM note ORDER BY rowid")).scalars().all()
    assert notes == ["first", "second"]
    first_engine.dispose()
    second_engine.dispose()


def _write_many(path: str, tag: str, count: int) -> None:
    engine = create_db_engine(f"sqlite:///{path}")
    write, _read = session_factory(engine)

    def writer(thread: int) -> None:
        for n in range(count):
            with write() as session:
                total = session.execute(sa.text("SELECT count(*) FROM note")).scalar_one()
                session.execute(
                    sa.text("INSERT INTO note VALUES (:body)"), {"body": f"{tag}.{thread}.{n}.{total}"}
                )

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()


def test_writers_in_several_processes_lose_nothing_and_double_nothing(database: Path) -> None:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_write_many, args=(str(database), tag, 25)) for tag in "ab"]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    engine = create_db_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        bodies = connection.execute(sa.text("SELECT body FROM note")).scalars().all()
    engine.dispose()
    assert len(bodies) == len(set(bodies)) == 2 * 4 * 25
    # Each writer counted the notes before it inside its own turn: every count 0..199 seen once.
    assert sorted(int(body.rsplit(".", 1)[1]) for body in bodies) == list(range(200))
    assert not lock_taken(database)


def test_a_process_forked_while_a_writer_holds_its_turn_still_gets_its_own(tmp_path: Path) -> None:
    """A web server forks its workers: a worker must not inherit a turn held by a thread of the
    parent (it would never be let go in the child), only wait for the parent's file lock."""
    from bot.db import WriterLock

    lock = WriterLock(str(tmp_path / "turnout.db"), timeout=2.0)
    assert lock.acquire()
    pid = os.fork()
    if pid == 0:  # the child: its turn comes once the parent lets go of the file lock
        code = 0 if lock.acquire() else 1
        if code == 0:
            lock.release()
        os._exit(code)
    time.sleep(0.2)
    lock.release()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
