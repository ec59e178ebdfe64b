"""A workspace removing Turnout: `app_uninstalled` and `tokens_revoked`.

In a coalition the workspace's installation is deleted (slack_sdk's own revocation listeners)
and this process forgets its token, so nothing more is sent there; its volunteers, shifts and
numbers stay, and installing again picks up where it left off. With one workspace
(SLACK_BOT_TOKEN) there is nothing to delete: the token simply stops working, which is logged.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.deps import Deps
from bot.services import organizations
from handlers.common import acked_then

logger = logging.getLogger(__name__)


def handle_app_uninstalled(context: BoltContext, *, deps: Deps) -> None:
    team_id = context.team_id or ""
    with deps.session() as session:
        organizations.uninstalled(session, team_id=team_id, now=deps.clock())
    if deps.installations is None:
        logger.warning(
            "Slack says Turnout was uninstalled from workspace %s: SLACK_BOT_TOKEN no longer works", team_id
        )
        return
    TokenRevocationListeners(deps.installations).handle_app_uninstalled_events(context)
    deps.workspaces.forget(team_id)
    logger.info("uninstalled from workspace %s: its installation is deleted, its history kept", team_id)


def handle_tokens_revoked(event: dict[str, Any], context: BoltContext, *, deps: Deps) -> None:
    team_id = context.team_id or ""
    bot_revoked = bool((event.get("tokens") or {}).get("bot"))
    if deps.installations is None:
        if bot_revoked:
            logger.warning("Slack says the bot token of workspace %s was revoked", team_id)
        return
    TokenRevocationListeners(deps.installations).handle_tokens_revoked_events(event, context)
    if bot_revoked:
        deps.workspaces.forget(team_id)
        logger.info("the bot token of workspace %s was revoked: its installation is deleted", team_id)


def register(app: App, deps: Deps) -> None:
    app.event("app_uninstalled")(**acked_then(partial(handle_app_uninstalled, deps=deps), deps))
    app.event("tokens_revoked")(**acked_then(partial(handle_tokens_revoked, deps=deps), deps))
