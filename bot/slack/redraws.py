"""Coalescing redraws of a message whose content moves faster than it should be redrawn."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

logger = logging.getLogger(__name__)
# Slack allows about one chat.update a second per message before it starts answering 429.
REDRAW_SPACING_SECONDS = 1.0

Schedule = Callable[[float, Callable[[], None]], None]
REDRAW_THREADS = 4


class _Timer:
    """Runs actions after a delay on a few threads of its own: one thread keeps the clock (a
    heap of what is due), a small pool does the drawing, so a slow Slack holds up only these."""

    def __init__(self, threads: int = REDRAW_THREADS) -> None:
        self._threads = threads
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._pool: ThreadPoolExecutor | None = None

    def __call__(self, seconds: float, action: Callable[[], None]) -> None:
        with self._wake:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="redraw")
                threading.Thread(target=self._keep_time, name="redraw-timer", daemon=True).start()
            heapq.heappush(self._due, (time.monotonic() + max(0.0, seconds), next(self._seq), action))
            self._wake.notify()

    def _keep_time(self) -> None:
        while True:
            with self._wake:
                while not self._due or self._due[0][0] > time.monotonic():
                    self._wake.wait(self._due[0][0] - time.monotonic() if self._due else None)
                _at, _seq, action = heapq.heappop(self._due)
                pool = self._pool
            assert pool is not None
            pool.submit(action)


@dataclass
class _Target:
    running: bool = False  # a redraw is being drawn, or one is scheduled
    dirty: bool = False
    last: float = float("-inf")


class Coalescer:
    """At most one redraw of each target at a time in this process, spaced `spacing` seconds
    apart, however many changes arrive: a change during a redraw, or while one is scheduled,
    only marks the target dirty, and the redraw goes round again. `redraw` returns whether
    what it drew is still the latest (for a shift post, whether the shift's version is
    unchanged since it read it), so changes made by other processes are caught too and the
    last redraw shows the latest.

    With a spacing (production) every redraw is scheduled (`schedule`: by default a timer and a
    few threads of the coalescer's own), at once or once the spacing since the last is over,
    so no caller waits for Slack or sleeps: a listener thread that has answered its request is
    free again at once. With no spacing (the tests, the shell) a redraw runs in the caller's
    thread. `run` says whether this call did the drawing, to the end (False: it left it to a
    redraw under way or scheduled, which then answers for its outcome itself)."""

    def __init__(
        self,
        spacing: float = REDRAW_SPACING_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        schedule: Schedule | None = None,
    ) -> None:
        self.spacing = spacing
        self._clock, self._schedule = clock, schedule or _Timer()
        self._targets: dict[Hashable, _Target] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def run(self, key: Hashable, redraw: Callable[[], bool]) -> bool:
        with self._lock:
            target = self._targets.setdefault(key, _Target())
            if target.running:
                target.dirty = True
                return False
            target.running = True
            wait = target.last + self.spacing - self._clock()
        if self.spacing > 0:
            self._schedule(max(0.0, wait), lambda: self._draw_logged(key, target, redraw))
            return False
        return self._draw(key, target, redraw)

    def _draw(self, key: Hashable, target: _Target, redraw: Callable[[], bool]) -> bool:
        """Draw until the drawing is the latest, each time after the spacing (`running` is set);
        whether that was done here rather than left to a scheduled round."""
        while True:
            with self._lock:
                target.dirty = False
            try:
                latest = redraw()
            except BaseException:
                with self._lock:
                    target.running = False
                    target.last = self._clock()
                    self._idle.notify_all()
                raise
            with self._lock:
                target.last = self._clock()
                if latest and not target.dirty:
                    target.running = False
                    self._forget_idle()
                    self._idle.notify_all()
                    return True
                wait = target.last + self.spacing - self._clock()
            if wait > 0:
                self._schedule(wait, lambda: self._draw_logged(key, target, redraw))
                return False

    def _draw_logged(self, key: Hashable, target: _Target, redraw: Callable[[], bool]) -> None:
        # On a timer thread nobody is there to be told of a failure: it is logged.
        try:
            self._draw(key, target, redraw)
        except Exception:
            logger.exception("redrawing %s failed", key)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no redraw is being drawn or scheduled; whether that happened in time."""
        with self._idle:
            return self._idle.wait_for(
                lambda: not any(t.running for t in self._targets.values()), timeout=timeout
            )

    def _forget_idle(self) -> None:
        # Targets idle for longer than the spacing need no memory of their last redraw.
        now = self._clock()
        for key in [k for k, t in self._targets.items() if not t.running and now - t.last > self.spacing]:
            del self._targets[key]
