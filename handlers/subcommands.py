"""The shape of a `/turnout` subcommand, shared by the features that provide them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.runtime import Deps


@dataclass(frozen=True)
class TurnoutRequest:
    """`/turnout NAME ARGS…` after the router has acked it: `args` are the words after NAME."""

    args: list[str]
    command: dict[str, Any]
    respond: Respond
    client: WebClient
    deps: Deps

    @property
    def user_id(self) -> str:
        return str(self.command["user_id"])

    def rest_after(self, count: int) -> str:
        """The raw text after the subcommand's first `count` argument words (spacing kept)."""
        parts = self.command["text"].strip().split(None, count + 1)
        return parts[count + 1] if len(parts) > count + 1 else ""


Subcommand = Callable[[TurnoutRequest], None]
