"""The bot's side of the Slack Web API: one configured client, and a cached people directory.

Every call goes through `SLACK_API_URL`. Rate limits (HTTP 429 with Retry-After), Slack's
5xx answers and dropped connections are retried by slack_sdk's own retry handlers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.services.people import Profile

logger = logging.getLogger(__name__)
PROFILE_TTL_SECONDS = 600


def make_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3),
        ],
    )


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


@dataclass
class _Cached:
    profile: Profile
    at: float


class Directory:
    """Who people are (`users.info`, cached for ten minutes) and which channel a name means."""

    def __init__(self, admins: frozenset[str], ttl: float = PROFILE_TTL_SECONDS) -> None:
        self.admins = admins
        self.ttl = ttl
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()

    def profile(self, client: WebClient, user_id: str) -> Profile:
        with self._lock:
            cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached.at < self.ttl:
            return cached.profile
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
            return cached.profile if cached else Profile(user_id=user_id)
        info = user.get("profile", {})
        profile = Profile(
            user_id=user_id,
            display_name=info.get("display_name") or "",
            real_name=info.get("real_name") or user.get("real_name") or "",
            email=info.get("email"),
            timezone=user.get("tz"),
            is_workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
        )
        with self._lock:
            self._cache[user_id] = _Cached(profile, time.monotonic())
        return profile

    def is_admin(self, profile: Profile) -> bool:
        return profile.user_id in self.admins or profile.is_workspace_admin

    def channel_id(self, client: WebClient, name: str) -> str | None:
        """The id of the channel called `name` (public, or private with the bot in it)."""
        cursor = None
        for _ in range(50):
            page = client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
            )
            for channel in page["channels"]:
                if channel.get("name") == name:
                    return str(channel["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def user_id(self, client: WebClient, name: str) -> str | None:
        """The id of the person whose handle, display name or real name is `name`."""
        lowered = name.lower()
        cursor = None
        for _ in range(50):
            page = client.users_list(limit=1000, cursor=cursor)
            for member in page["members"]:
                names = (
                    member.get("name"),
                    member.get("real_name"),
                    member.get("profile", {}).get("display_name"),
                )
                if not member.get("deleted") and lowered in (n.lower() for n in names if n):
                    return str(member["id"])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
