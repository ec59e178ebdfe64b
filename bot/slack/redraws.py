"""Coalescing redraws of a message whose content moves faster than it should be redrawn."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass

# Slack allows about one chat.update a second per message before it starts answering 429.
REDRAW_SPACING_SECONDS = 1.0


@dataclass
class _Target:
    running: bool = False
    dirty: bool = False
    last: float = float("-inf")


class Coalescer:
    """At most one redraw of each target at a time in this process, spaced `spacing` seconds
    apart, however many changes arrive: a change during a redraw marks the target dirty and
    the running redraw goes round again. `redraw` returns whether what it drew is still the
    latest (for a shift post, whether the shift's version is unchanged since it read it), so
    changes made by other processes are caught too and the last redraw shows the latest.
    `run` says whether this call did the redrawing (False: it left it to the one under way)."""

    def __init__(
        self,
        spacing: float = REDRAW_SPACING_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.spacing = spacing
        self._clock, self._sleep = clock, sleep
        self._targets: dict[Hashable, _Target] = {}
        self._lock = threading.Lock()

    def run(self, key: Hashable, redraw: Callable[[], bool]) -> bool:
        with self._lock:
            target = self._targets.setdefault(key, _Target())
            if target.running:
                target.dirty = True
                return False
            target.running = True
        try:
            while True:
                wait = target.last + self.spacing - self._clock()
                if wait > 0:
                    self._sleep(wait)
                with self._lock:
                    target.dirty = False
                latest = redraw()
                with self._lock:
                    target.last = self._clock()
                    if latest and not target.dirty:
                        target.running = False
                        self._forget_idle()
                        return True
        except BaseException:
            with self._lock:
                target.running = False
            raise

    def _forget_idle(self) -> None:
        # Targets idle for longer than the spacing need no memory of their last redraw.
        now = self._clock()
        for key in [k for k, t in self._targets.items() if not t.running and now - t.last > self.spacing]:
            del self._targets[key]
