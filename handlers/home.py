"""The App Home tab: the volunteer's upcoming shifts and how to find more."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.shifts import build_home
from bot.runtime import Deps
from bot.services.shifts import my_shifts


def handle_home_opened(event: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    if event.get("tab") != "home":
        return
    with deps.read_session() as session:
        signups = my_shifts(session, user_id=event["user"], now=deps.clock())
    client.views_publish(user_id=event["user"], view=build_home(signups))


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(partial(handle_home_opened, deps=deps))
