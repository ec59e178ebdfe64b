"""The listeners' work pool: a thread pool that holds a bounded amount of work.

Every listener's work runs on one pool of threads (`threads` at once), shared by the web
server's request threads. Without a bound, a surge the workers cannot keep up with piles up
in the pool's queue, each piece holding its request, and the process grows without limit
while every answer comes later. With one, a slash command waits for room before it is
admitted (`admit`, for as long as Slack still waits for its ack) and is told Turnout is busy,
with nothing changed, if none comes; Bolt's lazy listeners (the work of buttons, forms and
events, which have already been acked by then) wait a little for room and then go in anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# Listeners' work runs on this many threads in each process, so it bounds how much work is in
# flight at once; the database's connection pool has one for each of them (`bot.deps`).
LISTENER_THREADS = 15
# Work that may wait its turn, in each process. A piece waiting holds its request and Bolt's
# context for it, about 11 KB (measured with tracemalloc): a thousand of them hold about 11 MB,
# several seconds of work at a worker's rate, after which answers would come too late to help.
WAITING = 1000
# How long a lazy listener's work waits for room before it is let in over the bound.
LAZY_WAIT_SECONDS = 1.0
# Threads kept for work whose ack Slack is waiting on and which decides it (a form's checks):
# such work starts at once on one of these, or on an idle thread of the pool, never at the back
# of the pool's queue, where a surge of commands would hold it past Slack's 3 s.
FIRST_THREADS = 4


class WorkPool(ThreadPoolExecutor):
    """A thread pool holding at most `threads + waiting` pieces of admitted work, and a few
    threads of its own (`first_threads`) for work that must not wait behind it (`start_first`)."""

    def __init__(
        self,
        threads: int,
        waiting: int | None = None,
        *,
        thread_name_prefix: str = "listener",
        first_threads: int = FIRST_THREADS,
    ) -> None:
        super().__init__(max_workers=threads, thread_name_prefix=thread_name_prefix)
        self.limit = threads + (WAITING if waiting is None else waiting)
        self._held = 0
        self._room = threading.Condition()
        # Threads are started as work arrives, so one that never gets any costs nothing.
        self._first = ThreadPoolExecutor(first_threads, thread_name_prefix=f"{thread_name_prefix}-first")
        self._first_threads = first_threads
        self._first_running = 0
        self._first_free = threading.Condition()

    @property
    def held(self) -> int:
        """Work admitted and not yet finished."""
        with self._room:
            return self._held

    def admit(self, timeout: float) -> bool:
        """A place for one piece of work, waited for up to `timeout` seconds; False if none came.
        An admitted piece must then be started with `start_admitted`."""
        with self._room:
            if not self._room.wait_for(lambda: self._held < self.limit, timeout=max(0.0, timeout)):
                return False
            self._held += 1
            return True

    def start_admitted(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `fn` in the place `admit` gave; the place is free again when it ends."""
        return self._start(fn, args, kwargs)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Bolt's lazy listeners: wait up to `LAZY_WAIT_SECONDS` for room, then go in regardless
        (their request has been acked; turning the work away now would lose it)."""
        if not self.admit(LAZY_WAIT_SECONDS):
            with self._room:
                self._held += 1
        return self._start(fn, args, kwargs)

    def start_first(self, fn: Callable[[], Any], timeout: float = 0.0) -> Future[Any] | None:
        """Run `fn` at once, however much work waits in the pool: a form's checks, whose ack
        Slack waits for 3 s. It goes on a thread kept for it, else on an idle thread of the
        pool; with neither (kept threads busy with forms whose work goes on after their ack,
        waiting on Slack, and the pool with a surge's work), it waits up to `timeout` seconds
        for a kept thread, and None if none came: nothing runs, and the caller says Turnout is
        busy. Never at the back of the pool's queue, whence it would answer after Slack gave up."""
        if self._take_first(0.0):
            return self._start(fn, (), {}, first=True)
        with self._room:
            idle = self._held < self._max_workers
            if idle:
                self._held += 1
        if idle:
            return self._start(fn, (), {})
        if self._take_first(timeout):
            return self._start(fn, (), {}, first=True)
        return None

    def _take_first(self, timeout: float) -> bool:
        with self._first_free:
            if not self._first_free.wait_for(
                lambda: self._first_running < self._first_threads, timeout=max(0.0, timeout)
            ):
                return False
            self._first_running += 1
            return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait, cancel_futures=cancel_futures)
        self._first.shutdown(wait, cancel_futures=cancel_futures)

    def _start(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, first: bool = False
    ) -> Future[Any]:
        if first:
            try:
                kept = self._first.submit(fn, *args, **kwargs)
            except BaseException:
                self._free_first()
                raise
            kept.add_done_callback(lambda _: self._free_first())
            return kept
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._free()
            raise
        future.add_done_callback(lambda _: self._free())
        return future

    def _free_first(self) -> None:
        with self._first_free:
            self._first_running -= 1
            self._first_free.notify()

    def _free(self) -> None:
        with self._room:
            self._held -= 1
            self._room.notify()
