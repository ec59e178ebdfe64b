"""The threads listeners' work runs on, able to say whether new work would have to wait for one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class ListenerPool(ThreadPoolExecutor):
    """A thread pool that counts the work submitted to it and not yet finished.

    A slash command answers in its ack when its work is quick (`handlers.common.answered`);
    while every thread is busy, new work would queue behind the rest, so Slack is acked at
    once instead and the reply follows through the response_url."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "listener") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self.size = max_workers
        self._unfinished = 0
        self._count_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._count_lock:
            self._unfinished += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished()
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: object = None) -> None:
        with self._count_lock:
            self._unfinished -= 1

    @property
    def saturated(self) -> bool:
        """Whether every thread has work, so that more would wait its turn."""
        with self._count_lock:
            return self._unfinished >= self.size
