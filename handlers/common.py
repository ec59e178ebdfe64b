"""What every listener shares: replying, turning refusals into replies, knowing who is acting."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot.blocks.common import Reply, context, text_reply
from bot.blocks.refusals import build_refusal
from bot.deps import Deps
from bot.services.errors import TurnoutError
from bot.services.people import Profile, sync_volunteer
from bot.services.roles import Actor

logger = logging.getLogger(__name__)
HELP_WORDS = frozenset({"help", "-h", "--help", "?"})
SORRY = "Something went wrong on Turnout's side and nothing was changed. Please try again in a minute."
# A button value Turnout did not write (tampered with, or from an older version of a message).
STALE_BUTTON = "I can't read that button. Run the command again for a fresh list."


def say(respond: Respond, reply: Reply, *, replace: bool = False) -> None:
    """An ephemeral answer through the request's response_url (replacing the clicked message if asked)."""
    respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral", replace_original=replace)


def with_note(reply: Reply, note: str) -> Reply:
    """`reply` with a one-line note on top: what the click just did. Pages leave room for it."""
    return Reply(note, [context(note), *reply.blocks])


@contextmanager
def answering(respond: Respond) -> Iterator[None]:
    """Expected refusals become an ephemeral reply; anything else goes to the global error handler."""
    try:
        yield
    except TurnoutError as refusal:
        say(respond, build_refusal(refusal))


def is_help(text: str) -> bool:
    return text.strip().lower() in HELP_WORDS


def profile_of(deps: Deps, client: WebClient, user_id: str) -> Profile:
    """Who is acting, from Slack (cached); looked up before any transaction opens."""
    return deps.directory.profile(client, user_id)


def enroll(deps: Deps, session: Session, profile: Profile) -> Actor:
    sync_volunteer(session, profile=profile, now=deps.clock())
    return Actor(profile.user_id, deps.directory.is_admin(profile))


def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None = None) -> None:
    """The last resort: log with the trace, and still answer the person."""
    logger.exception("unhandled error in a listener", exc_info=error)
    if respond is not None and (body.get("response_url") or body.get("response_urls")):
        try:
            say(respond, text_reply(SORRY))
        except Exception:
            logger.exception("could not tell the user about the error")


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
