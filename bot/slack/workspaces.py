"""Which workspaces Turnout serves, and the Web API client that acts in each.

A listener answering a request uses the client Bolt hands it, which carries that request's
workspace token. Everything else (scheduled posts, a message to someone in another workspace)
asks `deps.workspaces.client(team_id)`: with one workspace (SLACK_BOT_TOKEN) that is the one
client; in a coalition it is the client with that workspace's installed bot token, or None when
the workspace has no installation (never installed, or uninstalled): then nothing is sent there.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from slack_sdk import WebClient

if TYPE_CHECKING:
    from bot.slack.installations import TurnoutInstallationStore

logger = logging.getLogger(__name__)

# How long a process trusts a workspace's token before reading it again. An uninstall or a
# reinstall handled by this process is seen at once (`forget`); one handled by another process
# (another web worker, the scheduler) within this long.
TOKEN_TTL_SECONDS = 30.0


class Workspaces(Protocol):
    def client(self, team_id: str) -> WebClient | None:
        """The client that acts in workspace `team_id`; None where Turnout is not installed."""
        ...

    def active(self) -> list[str]:
        """The workspaces Turnout may post in now, in id order."""
        ...

    def forget(self, team_id: str) -> None:
        """Drop what this process remembers of `team_id`'s token (it was uninstalled or reinstalled)."""
        ...


class OneWorkspace:
    """One workspace and its bot token (SLACK_BOT_TOKEN): Turnout's default.

    The workspace's id is asked of Slack (`auth.test`) the first time it is needed, unless the
    caller already knows it. A request or job naming any other workspace gets no client."""

    def __init__(self, client: WebClient, team_id: str | None = None) -> None:
        self._client = client
        self._team_id = team_id
        self._lock = threading.Lock()

    @property
    def team_id(self) -> str:
        """The token's workspace. Raises what the client raises when Slack cannot be asked."""
        with self._lock:
            if self._team_id is None:
                self._team_id = str(self._client.auth_test()["team_id"])
            return self._team_id

    def client(self, team_id: str) -> WebClient | None:
        return self._client if team_id == self.team_id else None

    def active(self) -> list[str]:
        return [self.team_id]

    def forget(self, team_id: str) -> None:
        """Nothing to forget: the token is the process's setting."""


class InstalledWorkspaces:
    """A coalition: each workspace's bot token from its installation (`TurnoutInstallationStore`)."""

    def __init__(
        self,
        store: TurnoutInstallationStore,
        client_factory: Callable[[str], WebClient],
        *,
        ttl: float = TOKEN_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.client_factory = client_factory
        self.ttl = ttl
        self.monotonic = monotonic
        self._lock = threading.Lock()
        # team id -> (its client, or None when not installed; when to read the store again)
        self._known: dict[str, tuple[WebClient | None, float]] = {}

    def client(self, team_id: str) -> WebClient | None:
        now = self.monotonic()
        with self._lock:
            known = self._known.get(team_id)
        if known is not None and known[1] > now:
            return known[0]
        bot = self.store.bot_for_team(team_id)
        token = bot.bot_token if bot is not None else None
        client: WebClient | None
        with self._lock:
            previous = self._known.get(team_id)
            if previous is not None and previous[0] is not None and previous[0].token == token:
                client = previous[0]  # the same token: keep its client
            else:
                client = self.client_factory(token) if token else None
            self._known[team_id] = (client, now + self.ttl)
        return client

    def active(self) -> list[str]:
        return self.store.installed_teams()

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._known.pop(team_id, None)
