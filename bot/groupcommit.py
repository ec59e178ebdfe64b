"""Group commit: small write transactions from many threads, written together in one.

On SQLite a write transaction costs its `BEGIN IMMEDIATE` (one writer at a time, across every
process) and its commit (the pages it changed appended to the WAL); a /log's own statements
cost less than either. So when many logs arrive at once, the first thread to find no write
under way becomes the writer: it runs its own unit of work and every other one waiting, in one
transaction, and commits once. The threads that arrived while it wrote wait, then one of them
writes the next batch, and so on. Alone, a unit is simply its own transaction.

Every unit is all or nothing, and is told its own outcome only after the commit that holds it:

- a unit that raises (a refusal, a database error) rolls the whole batch back, and then every
  unit of that batch runs again alone, in its own transaction, as if there had been no batch:
  the others are written once, the failing one is refused or fails on its own;
- a commit that fails rolls the whole batch back likewise, and each unit runs again alone.

So a unit of work must do nothing but database work in the session it is given (anything
else would happen twice when its batch is run again), and it must not commit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from bot.db import SessionFactory

logger = logging.getLogger(__name__)
T = TypeVar("T")
# A batch holds at most this many units: the rest wait for the next one.
MAX_BATCH = 64


class _Unit(Generic[T]):
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Session], T]) -> None:
        self.work = work
        self.result: T | None = None
        self.error: BaseException | None = None
        self.done = False

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]  # set when done without error


class GroupCommit:
    """Runs units of work (`run`) in shared write transactions from `session`; with
    `batching=False` each unit is its own transaction, at once."""

    def __init__(self, session: SessionFactory, *, batching: bool = True, max_batch: int = MAX_BATCH) -> None:
        self._session = session
        self.batching = batching
        self.max_batch = max_batch
        self._pending: list[_Unit[Any]] = []
        self._writing = False
        self._turn = threading.Condition()
        self.batches = 0  # transactions committed with more than one unit (for tests and benches)
        self.replays = 0  # batches rolled back and run again unit by unit

    def run(self, work: Callable[[Session], T]) -> T:
        """`work` run in a write transaction and committed; its result, or what it raised."""
        if not self.batching:
            with self._session() as session:
                return work(session)
        unit = _Unit(work)
        with self._turn:
            self._pending.append(unit)
            while self._writing and not unit.done:
                self._turn.wait()
            if unit.done:
                return unit.outcome()
            # No write under way: this thread writes whatever is waiting, its own unit first.
            self._pending.remove(unit)
            batch = [unit, *self._pending[: self.max_batch - 1]]
            del self._pending[: self.max_batch - 1]
            self._writing = True
        try:
            self._write(batch)
        finally:
            with self._turn:
                for done in batch:
                    done.done = True
                self._writing = False
                self._turn.notify_all()
        return unit.outcome()

    def _write(self, batch: list[_Unit[Any]]) -> None:
        if len(batch) == 1:
            self._alone(batch[0])
            return
        try:
            with self._session() as session:
                results = [unit.work(session) for unit in batch]
        except Exception:
            # Nothing of the batch was committed: each unit again, on its own.
            self.replays += 1
            logger.debug("a batch of %d writes failed; writing each alone", len(batch), exc_info=True)
            for unit in batch:
                self._alone(unit)
            return
        self.batches += 1
        for unit, result in zip(batch, results, strict=True):
            unit.result = result

    def _alone(self, unit: _Unit[Any]) -> None:
        try:
            with self._session() as session:
                unit.result = unit.work(session)
        except Exception as error:
            unit.error = error
