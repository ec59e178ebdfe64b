"""Refreshing stored profiles from Slack after the answer, at a pace Slack's rate limit allows."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.services.people import PROFILE_MAX_AGE, stored_profile, sync_volunteer

if TYPE_CHECKING:
    from bot.deps import Deps

logger = logging.getLogger(__name__)
# users.info is a Tier 4 method (100+ calls a minute per workspace): one call a second in each
# worker stays about there, however many new people a surge brings.
PROFILE_FETCH_SPACING_SECONDS = 1.0


class ProfileRefresher:
    """Fetches from Slack the profiles found missing or old while answering, and stores them in
    the volunteer table every worker reads.

    With a spacing (production) the fetches happen on a thread of their own, one at a time,
    `spacing` seconds apart, oldest request first; someone asked for again while waiting is
    fetched once, and someone another worker has refreshed meanwhile not at all. Until then a
    person is shown by their mention. With no spacing (the tests, the shell) each fetch happens
    at once in the caller's thread."""

    def __init__(
        self, spacing: float = PROFILE_FETCH_SPACING_SECONDS, *, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.spacing = spacing
        self._sleep = sleep
        self._pending: dict[str, None] = {}  # an ordered set of user ids
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._target: tuple[Deps, WebClient] | None = None

    def refresh(self, deps: Deps, client: WebClient, user_ids: list[str]) -> None:
        if self.spacing <= 0:
            for user_id in user_ids:
                self._refresh(deps, client, user_id)
            return
        with self._lock:
            self._target = (deps, client)
            self._pending.update(dict.fromkeys(user_ids))
            if self._pending and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="profiles", daemon=True)
                self._thread.start()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._pending)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every profile asked for has been fetched; whether that happened in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._thread is None, timeout=timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._target is None:
                    self._thread = None
                    self._idle.notify_all()
                    return
                user_id = next(iter(self._pending))
                del self._pending[user_id]
                deps, client = self._target
            if self._refresh(deps, client, user_id):
                self._sleep(self.spacing)

    def _refresh(self, deps: Deps, client: WebClient, user_id: str) -> bool:
        """Fetch and store one profile unless it is fresh by now; whether Slack was asked."""
        try:
            with deps.read_session() as session:
                stored = stored_profile(session, user_id=user_id)
            if stored is not None and deps.clock() - stored[1] < PROFILE_MAX_AGE:
                return False
            profile = deps.directory.profile(client, user_id)
            if profile is not None:
                with deps.session() as session:
                    sync_volunteer(session, profile=profile, now=deps.clock())
        except Exception:
            logger.exception("could not refresh the profile of %s", user_id)
        return True
