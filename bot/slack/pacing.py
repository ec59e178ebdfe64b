"""Pacing fan-outs inside Slack's posting limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Keeps a fan-out inside Slack's posting limits on purpose, rather than by 429s:
    at most one message a second per channel, and `per_second` messages overall."""

    def __init__(
        self,
        per_second: float,
        per_channel_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = 1.0 / per_second
        self.per_channel_interval = per_channel_interval
        self.sleep, self.monotonic = sleep, monotonic
        self.last_any = float("-inf")
        self.last: dict[str, float] = {}
        self.lock = threading.Lock()

    def wait(self, channel: str) -> None:
        with self.lock:
            now = self.monotonic()
            ready = max(
                self.last_any + self.interval,
                self.last.get(channel, float("-inf")) + self.per_channel_interval,
            )
            if ready > now:
                self.sleep(ready - now)
                now = ready
            self.last_any = self.last[channel] = now
