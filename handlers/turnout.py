"""`/turnout SUBCOMMAND …`: one command, routed to the feature that owns each subcommand."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.common import text_reply
from bot.blocks.help import SUBCOMMAND_HELP, build_subcommand_help
from bot.deps import Deps
from handlers.common import Subcommand, TurnoutRequest, answered, answering, is_help, say, work_pool
from handlers.parsing import tokens


def handle_turnout(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    *,
    deps: Deps,
    subcommands: dict[str, Subcommand],
) -> None:
    ack()
    words = tokens(command["text"])
    name = words[0].lower() if words else "help"
    request = TurnoutRequest(words[1:], command, respond, client, deps)
    # Refusals and apologies are in the caller's language, looked up once and only if needed.
    with answering(respond, lambda: request.lang):
        run = subcommands.get(name)
        if run is None:
            shown = name.replace("`", "'")[:30]
            return say(
                respond,
                text_reply(
                    request.lang._(
                        "I don't know `/turnout {name}`. `/turnout help` lists what you can do.", name=shown
                    )
                ),
            )
        if len(words) > 1 and is_help(words[1]) and name in SUBCOMMAND_HELP:
            return say(respond, build_subcommand_help(name, request.lang))
        run(request)


def register(app: App, deps: Deps, subcommands: dict[str, Subcommand]) -> None:
    pool = work_pool(app)
    app.command("/turnout")(
        **answered(partial(handle_turnout, deps=deps, subcommands=subcommands), deps, pool)
    )
