"""One lane per workspace, so a workspace whose Slack is slow only ever holds up itself.

Slack's rate limits are per workspace, and slack_sdk waits out a 429's `Retry-After` (or a
timeout) on the calling thread. Work for a workspace (its scheduled posts, a redraw of its copy
of a shared shift) is submitted to that workspace's lane: one thread per workspace, running its
work one piece at a time, in order. Another workspace's lane never waits for it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
K = TypeVar("K", bound=Hashable)


class LanesClosed(RuntimeError):
    """Work offered to lanes that are shut down: the process is stopping. Whatever it was stays
    owed or due, for a later tick (of this process's successor)."""


class TeamLanes:
    """A single-threaded executor per workspace, made on first use."""

    def __init__(self) -> None:
        # Reentrant: `submit_once` submits while holding it.
        self._lock = threading.RLock()
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._pending: dict[str, set[Future[Any]]] = {}
        # The unfinished work submitted under a name (`submit_once`), per workspace.
        self._named: dict[tuple[str, str], Future[Any]] = {}
        # What unfinished work submitted with `submit_new` holds, per workspace.
        self._held: dict[str, set[Any]] = {}
        self._closed = False

    def submit(self, team_id: str, fn: Callable[[], Any]) -> Future[Any]:
        """Run `fn` on `team_id`'s lane, after the work already queued there."""
        with self._lock:
            if self._closed:
                raise LanesClosed("the workspace lanes are shut down")
            lane = self._lanes.get(team_id)
            if lane is None:
                lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"lane-{team_id}")
                self._lanes[team_id] = lane
            future = lane.submit(fn)
            self._pending.setdefault(team_id, set()).add(future)
        future.add_done_callback(lambda done: self._finished(team_id, done))
        return future

    def submit_once(self, team_id: str, name: str, fn: Callable[[], Any]) -> Future[Any] | None:
        """Run `fn` on `team_id`'s lane unless work submitted there under `name` has not finished
        yet; then None, and nothing is queued (a scheduler tick while the last one's run of that
        workspace is still waiting on Slack). Other work on the lane does not count."""
        with self._lock:
            running = self._named.get((team_id, name))
            if running is not None and not running.done():
                return None
            future = self.submit(team_id, fn)
            self._named[(team_id, name)] = future
            return future

    def submit_new(self, team_id: str, keys: Sequence[K], fn: Callable[[list[K]], Any]) -> Future[Any] | None:
        """Run `fn` on `team_id`'s lane with those of `keys` that no unfinished work submitted
        this way holds (in order); they are held until `fn` returns. None, and nothing queued,
        when every key is held already (messages a run owes another workspace, handed to its
        lane again by the next tick while that lane still waits on Slack)."""
        with self._lock:
            held = self._held.setdefault(team_id, set())
            fresh = list(dict.fromkeys(key for key in keys if key not in held))
            if not fresh:
                return None
            held.update(fresh)

        def run() -> Any:
            try:
                return fn(fresh)
            finally:
                with self._lock:
                    self._held[team_id].difference_update(fresh)

        try:
            return self.submit(team_id, run)
        except BaseException:
            with self._lock:
                held.difference_update(fresh)
            raise

    def running(self, team_id: str, name: str) -> bool:
        """Whether work submitted under `name` for `team_id` has not finished yet."""
        with self._lock:
            future = self._named.get((team_id, name))
            return future is not None and not future.done()

    def _finished(self, team_id: str, future: Future[Any]) -> None:
        with self._lock:
            self._pending.get(team_id, set()).discard(future)
        if not future.cancelled() and (error := future.exception()) is not None:
            logger.error("work for workspace %s failed", team_id, exc_info=error)

    def busy(self, team_id: str) -> bool:
        """Whether work submitted for `team_id` has not finished yet."""
        with self._lock:
            return bool(self._pending.get(team_id))

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until every lane has finished its work (tests, the shell, shutting down).
        Raises TimeoutError if work is still running after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = [f for futures in self._pending.values() for f in futures]
            if not pending:
                return
            _done, not_done = wait(pending, timeout=max(0.0, deadline - time.monotonic()))
            if not_done:
                raise TimeoutError(f"workspace lanes still busy after {timeout} s")

    def shutdown(self, *, wait: bool = True, cancel_waiting: bool = False) -> None:
        """No more work; `wait` for what is under way. `cancel_waiting`: work queued and not
        begun is dropped (a scheduler stopping: each piece is a run or an owed message that a
        later tick does again, since only what was claimed counts as done)."""
        with self._lock:
            self._closed = True
            lanes = list(self._lanes.values())
        # Every lane is told first, so none goes on starting queued work while another's
        # work under way is waited for.
        for lane in lanes:
            lane.shutdown(wait=False, cancel_futures=cancel_waiting)
        if wait:
            for lane in lanes:
                lane.shutdown(wait=True)


class InlineLanes(TeamLanes):
    """Runs the work at once on the caller's thread: for tests that want no threads."""

    def submit(self, team_id: str, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn())
        except Exception as error:
            logger.error("work for workspace %s failed", team_id, exc_info=error)
            future.set_exception(error)
        return future
