"""Who a person is: Slack user ids are only unique within a workspace, so a person is the pair."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Member:
    """A person of one workspace of the coalition: the same user id in two workspaces is two people."""

    team_id: str
    user_id: str
