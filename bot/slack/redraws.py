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
# chat.update is a Tier 3 method: Slack takes 50 calls a minute per workspace (and app), with
# short bursts, before it answers 429. The web workers share 40 of them and the scheduler's
# process (retrying owed redraws) has 5, leaving room for a timer running late: each process
# keeps within its share, a short burst included (`lane_pacing`).
UPDATES_PER_MINUTE = 50
UPDATE_BUDGET = 40
SCHEDULER_UPDATE_BUDGET = 5
UPDATE_BURST = 5

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


def lane_pacing(processes: int, budget: int = UPDATE_BUDGET) -> tuple[float, int]:
    """(seconds between redraws, burst) in one workspace for each of `processes` processes
    redrawing at once, so that together they keep to `budget` calls in any minute: each may
    redraw `burst` at once, then one every so many seconds."""
    share = budget / max(1, processes)
    burst = max(1, min(UPDATE_BURST, int(share // 2)))
    # With more processes than the budget has calls to share out, each still redraws about
    # once a minute per workspace.
    return 60.0 / max(1.0, share - burst), burst


@dataclass
class _Target:
    running: bool = False  # a redraw is being drawn, or one is scheduled
    dirty: bool = False
    last: float = float("-inf")
    lane: Hashable | None = None  # the workspace whose pace it keeps (None: no pace)
    due: float = float("-inf")  # when its redraw is to go, once scheduled


class Coalescer:
    """At most one redraw of each target at a time in this process, spaced `spacing` seconds
    apart, however many changes arrive: a change during a redraw, or while one is scheduled,
    only marks the target dirty, and the redraw goes round again. `redraw` returns whether
    what it drew is still the latest (for a shift post, whether the shift's version is
    unchanged since it read it), so changes made by other processes are caught too and the
    last redraw shows the latest.

    A target may keep to a lane's pace (its workspace's: Slack counts chat.update per
    workspace): the lane's redraws, whatever their target, go `lane_interval` seconds apart
    after a burst of `lane_burst`, each scheduled for the lane's next free turn, so a surge of
    claims on many shifts redraws them in turn within Slack's limit rather than into 429s.
    Each target still has at most one redraw waiting, so the lane's queue is at most its
    targets, and each redraw draws the latest.

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
        lane_interval: float = 0.0,
        lane_burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        schedule: Schedule | None = None,
    ) -> None:
        self.spacing = spacing
        self.lane_interval, self.lane_burst = lane_interval, max(1, lane_burst)
        self._clock, self._schedule = clock, schedule or _Timer()
        self._targets: dict[Hashable, _Target] = {}
        # Each lane's next turn, as in a token bucket: the earliest a redraw may go once its
        # burst is spent (turns up to `lane_burst - 1` intervals before it may go at once).
        self._lanes: dict[Hashable, float] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._left: Callable[[Hashable, Hashable | None], None] | None = None  # set by `close`

    def run(self, key: Hashable, redraw: Callable[[], bool], *, lane: Hashable | None = None) -> bool:
        with self._lock:
            left = self._left
            if left is None:
                target = self._targets.setdefault(key, _Target())
                if target.running:
                    target.dirty = True
                    return False
                target.running = True
                if lane is not None:
                    target.lane = lane
                wait = self._turn(target)
        if left is not None:
            left(key, lane)
            return False
        if self.spacing > 0:
            self._schedule(wait, lambda: self._draw_logged(key, target, redraw))
            return False
        return self._draw(key, target, redraw)

    def charge(self, lane: Hashable, calls: int) -> None:
        """Count `calls` more chat.update calls a redraw made in `lane` beside its own (the
        posts about a shift that is short of people): later turns move back to make room."""
        with self._lock:
            if self.spacing <= 0 or self.lane_interval <= 0 or calls <= 0:
                return
            turn = self._lanes.get(lane, float("-inf"))
            self._lanes[lane] = max(turn, self._clock()) + calls * self.lane_interval

    def _turn(self, target: _Target) -> float:
        """Seconds from now until the target's next redraw may go: the spacing since its last,
        and its lane's next turn, which it takes (the lock is held)."""
        now = self._clock()
        at = max(now, target.last + self.spacing)
        if self.spacing > 0 and target.lane is not None and self.lane_interval > 0:
            tolerance = self.lane_interval * (self.lane_burst - 1)
            turn = self._lanes.get(target.lane, float("-inf"))
            at = max(at, turn - tolerance)
            self._lanes[target.lane] = max(turn, at) + self.lane_interval
        target.due = at
        return at - now

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
                wait = self._turn(target)
            if wait > 0:
                self._schedule(wait, lambda: self._draw_logged(key, target, redraw))
                return False

    def _draw_logged(self, key: Hashable, target: _Target, redraw: Callable[[], bool]) -> None:
        # On a timer thread nobody is there to be told of a failure: it is logged.
        try:
            self._draw(key, target, redraw)
        except Exception:
            logger.exception("redrawing %s failed", key)

    def waiting(self, key: Hashable) -> bool:
        """Whether the target has a redraw waiting its turn or being drawn."""
        with self._lock:
            target = self._targets.get(key)
            return target is not None and target.running

    def due_in(self, key: Hashable) -> float:
        """Seconds until the target's waiting redraw is to go (0 if it is due or drawing, or none
        waits)."""
        with self._lock:
            target = self._targets.get(key)
            if target is None or not target.running:
                return 0.0
            return max(0.0, target.due - self._clock())

    def close(
        self, left: Callable[[Hashable, Hashable | None], None]
    ) -> list[tuple[Hashable, Hashable | None]]:
        """As the process ends: (key, lane) of every target with a redraw waiting its turn or
        being drawn, and from now on each redraw asked for is handed to `left` (key, lane) at
        once rather than waiting for a turn the process will not see."""
        with self._lock:
            self._left = left
            return [(key, target.lane) for key, target in self._targets.items() if target.running]

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no redraw is being drawn or scheduled; whether that happened in time."""
        with self._idle:
            return self._idle.wait_for(
                lambda: not any(t.running for t in self._targets.values()), timeout=timeout
            )

    def _forget_idle(self) -> None:
        # Targets idle for longer than the spacing need no memory of their last redraw, nor
        # lanes whose burst has come back.
        now = self._clock()
        for key in [k for k, t in self._targets.items() if not t.running and now - t.last > self.spacing]:
            del self._targets[key]
        for lane in [lane for lane, turn in self._lanes.items() if turn <= now]:
            del self._lanes[lane]
