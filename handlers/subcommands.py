"""The shape of a `/turnout` subcommand, shared by the features that provide them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.runtime import Deps
from bot.services.people import Actor
from handlers.common import enroll, profile_of


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

    @contextmanager
    def acting(self) -> Iterator[tuple[Session, Actor]]:
        """A write session and the acting person, their profile looked up before it opens."""
        profile = profile_of(self.deps, self.client, self.user_id)
        with self.deps.session() as session:
            yield session, enroll(self.deps, session, profile)

    def rest_after(self, count: int) -> str:
        """The raw text after the subcommand's first `count` argument words (spacing kept)."""
        parts = self.command["text"].strip().split(None, count + 1)
        return parts[count + 1] if len(parts) > count + 1 else ""


Subcommand = Callable[[TurnoutRequest], None]
