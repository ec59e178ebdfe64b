"""Bolt listeners: thin adapters from Slack requests to services and blocks.

One module per feature, each ending in `register(app, deps)`; features never import each
other. `/turnout` is one command whose subcommands belong to the features: each offers its
own `SUBCOMMANDS`, and the router is given them all here.
"""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    admin,
    coalition,
    contacts,
    home,
    hosting,
    ladder,
    languages,
    organizations,
    schedule,
    shift_admin,
    shifts,
    turnout,
    workspaces,
)
from handlers.common import Subcommand, handle_error


def register(app: App, deps: Deps) -> None:
    """Attach every listener to `app`."""
    subcommands: dict[str, Subcommand] = {
        **admin.SUBCOMMANDS,
        **shift_admin.SUBCOMMANDS,
        **contacts.SUBCOMMANDS,
        **schedule.SUBCOMMANDS,
        **hosting.SUBCOMMANDS,
        **ladder.SUBCOMMANDS,
        **languages.SUBCOMMANDS,
        **organizations.SUBCOMMANDS,
        **coalition.SUBCOMMANDS,
    }
    # Bolt tries listeners in the order they were added until one matches (no two match the
    # same request), and each try costs: the busiest commands (/log, /stats, /claim) go first.
    contacts.register(app, deps)
    shifts.register(app, deps)
    turnout.register(app, deps, subcommands)
    shift_admin.register(app, deps)
    hosting.register(app, deps)
    home.register(app, deps)
    ladder.register(app, deps)
    workspaces.register(app, deps)
    app.error(handle_error)
