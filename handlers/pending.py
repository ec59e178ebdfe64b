"""Commands the app manifest declares whose features this version does not have yet.

They answer honestly instead of leaving Slack with an unhandled request."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.blocks.common import text_reply
from bot.runtime import Deps
from handlers.common import say

NOT_YET = ("/log", "/stats", "/leaderboard")


def handle_not_yet(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
    ack()
    say(respond, text_reply(f"`{command['command']}` is not available in this version of Turnout yet."))


def register(app: App, deps: Deps) -> None:
    for name in NOT_YET:
        app.command(name)(partial(handle_not_yet))
