"""Who people are and which channel a name means: users.info, conversations.list, users.list.

`users.info` is asked with `include_locale`, so a person's Slack language comes with their profile
(Slack leaves `locale` out otherwise)."""

from __future__ import annotations

import itertools
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.members import Member
from bot.services.people import Profile

logger = logging.getLogger(__name__)
MAX_PAGES = 50


class Directory:
    """Who people are (`users.info`) and which channel a name means.

    Profiles are not cached here: the volunteer table is the cache every worker shares, and
    the handlers refresh it from here after answering."""

    def __init__(self, admins: frozenset[str], *, distributed: bool = False) -> None:
        # TURNOUT_ADMINS: `TEAM:USER` entries, and (with one workspace) bare user ids.
        self.admins = admins
        self.distributed = distributed

    def profile(self, client: WebClient, who: Member) -> Profile | None:
        """Slack's profile of `who` (asked with `client`, their workspace's); None when Slack would not say."""
        try:
            user = client.users_info(user=who.user_id, include_locale=True)["user"]
        except SlackApiError as error:
            logger.warning("users.info failed for %s: %s", who.user_id, error.response.get("error"))
            return None
        return self._profile(who, user)

    def _profile(self, who: Member, user: dict[str, Any]) -> Profile:
        """A Profile from a `users.info` user object."""
        info = user.get("profile", {})
        return Profile(
            team_id=who.team_id,
            user_id=who.user_id,
            display_name=info.get("display_name") or "",
            real_name=info.get("real_name") or user.get("real_name") or "",
            email=info.get("email"),
            timezone=user.get("tz"),
            is_workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
            locale=user.get("locale") or None,
        )

    def lookup(self, client: WebClient, who: Member) -> Profile | None:
        """The person with `user_id`, or None when Slack says there is no such person.

        Unlike `profile`, this never stands a guess in for a person: any other failure
        (Slack down, rate limited) is raised, so "not found" always means not found."""
        try:
            user = client.users_info(user=who.user_id, include_locale=True)["user"]
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "users_not_found"):
                return None
            raise
        return self._profile(who, user)

    def is_admin(self, profile: Profile) -> bool:
        """An admin of the profile's own workspace: its Slack admins and owners, and those
        TURNOUT_ADMINS names there (a bare user id only with one workspace)."""
        listed = f"{profile.team_id}:{profile.user_id}" in self.admins or (
            not self.distributed and profile.user_id in self.admins
        )
        return listed or profile.is_workspace_admin

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
