"""Who people are and which channel a name means: users.info (cached), conversations.list, users.list."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.people import Profile

logger = logging.getLogger(__name__)
PROFILE_TTL_SECONDS = 600
MAX_PAGES = 50


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
        return self._remember(user_id, user)

    def _remember(self, user_id: str, user: dict[str, Any]) -> Profile:
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

    def lookup(self, client: WebClient, user_id: str) -> Profile | None:
        """The person with `user_id`, or None when Slack says there is no such person.

        Unlike `profile`, this never stands a guess in for a person: any other failure
        (Slack down, rate limited) is raised, so "not found" always means not found."""
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
        return self._remember(user_id, user)

    def is_admin(self, profile: Profile) -> bool:
        return profile.user_id in self.admins or profile.is_workspace_admin

    def channel_id(self, client: WebClient, name: str) -> str | None:
        """The id of the channel called `name` (public, or private with the bot in it)."""
        pages = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=1000
        )
        # Iterating a SlackResponse follows next_cursor; the cap stops a server that never ends.
        for page in itertools.islice(pages, MAX_PAGES):
            for channel in page["channels"]:
                if channel.get("name") == name:
                    return str(channel["id"])
        return None

    def user_id(self, client: WebClient, name: str) -> str | None:
        """The id of the person whose handle, display name or real name is `name`."""
        lowered = name.lower()
        for page in itertools.islice(client.users_list(limit=1000), MAX_PAGES):
            for member in page["members"]:
                names = (
                    member.get("name"),
                    member.get("real_name"),
                    member.get("profile", {}).get("display_name"),
                )
                if not member.get("deleted") and lowered in (n.lower() for n in names if n):
                    return str(member["id"])
        return None
