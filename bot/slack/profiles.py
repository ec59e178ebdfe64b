"""Refreshing stored profiles from Slack after the answer, at a pace Slack's rate limit allows."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.services.members import Member
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
        self._pending: dict[Member, WebClient] = {}  # in order: who, with their workspace's client
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._deps: Deps | None = None

    def refresh(self, deps: Deps, client: WebClient, people: list[Member]) -> None:
        """Fetch `people`'s profiles with `client` (their workspace's)."""
        if self.spacing <= 0:
            for who in people:
                self._refresh(deps, client, who)
            return
        with self._lock:
            self._deps = deps
            self._pending.update(dict.fromkeys(people, client))
            if self._pending and self._thread is None:
                self._thread = threading.Thread(target=self._run, name="profiles", daemon=True)
                self._thread.start()

    @property
    def waiting(self) -> int:
        with self._lock:
            return len(self._pending)

    def stop(self) -> None:
        """Fetch no more: what is waiting is dropped (each is asked for again the next time its
        person is seen), and the fetch under way, if any, is the last."""
        with self._lock:
            self._pending.clear()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every profile asked for has been fetched; whether that happened in time."""
        with self._idle:
            return self._idle.wait_for(lambda: self._thread is None, timeout=timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._deps is None:
                    self._thread = None
                    self._idle.notify_all()
                    return
                who = next(iter(self._pending))
                client = self._pending.pop(who)
                deps = self._deps
            if self._refresh(deps, client, who):
                self._sleep(self.spacing)

    def _refresh(self, deps: Deps, client: WebClient, who: Member) -> bool:
        """Fetch and store one profile unless it is fresh by now; whether Slack was asked."""
        try:
            with deps.read_session() as session:
                stored = stored_profile(session, who=who)
            if stored is not None and deps.clock() - stored[1] < PROFILE_MAX_AGE:
                return False
            profile = deps.directory.profile(client, who)
            if profile is not None:
                with deps.session() as session:
                    sync_volunteer(session, profile=profile, now=deps.clock())
        except Exception:
            logger.exception("could not refresh the profile of %s in %s", who.user_id, who.team_id)
        return True
