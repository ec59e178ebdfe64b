"""Bolt listeners: thin adapters from Slack requests to services and blocks."""

from __future__ import annotations

from slack_bolt import App

from bot.runtime import Deps
from handlers import contacts, home, shift_admin, shifts, turnout
from handlers.common import handle_error


def register(app: App, deps: Deps) -> None:
    """Attach every listener to `app`."""
    shifts.register(app, deps)
    shift_admin.register(app, deps)
    turnout.register(app, deps)
    contacts.register(app, deps)
    home.register(app, deps)
    app.error(handle_error)
