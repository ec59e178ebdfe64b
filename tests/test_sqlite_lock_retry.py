"""A SQLite write that loses the race for the write lock is begun again, not dropped."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.db import create_db_engine, session_factory


def hold_write_lock(path: Path, seconds: float, taken: threading.Event) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    taken.set()
    threading.Event().wait(seconds)
    other.execute("COMMIT")
    other.close()


def test_a_write_waits_out_a_lock_held_longer_than_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "turnout.db"
    engine = create_db_engine(f"sqlite:///{path}", busy_timeout_ms=50)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE note (body TEXT)"))
    write, _read = session_factory(engine)
    taken = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(path, 0.4, taken))
    holder.start()
    taken.wait()
    with write() as session:
        session.execute(sa.text("INSERT INTO note VALUES ('kept')"))
    holder.join()
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT body FROM note")).scalars().all() == ["kept"]


def test_a_lock_that_is_never_released_still_fails_in_the_end(tmp_path: Path) -> None:
    path = tmp_path / "turnout.db"
    engine = create_db_engine(f"sqlite:///{path}", busy_timeout_ms=20)
    write, _read = session_factory(engine)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sa.exc.OperationalError, match="database is locked"), write() as session:
            session.execute(sa.text("SELECT 1"))
    finally:
        other.execute("ROLLBACK")
        other.close()
