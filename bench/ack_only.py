"""The load bench's baseline: a Bolt app that only acks, behind the same WSGI front as Turnout.

    gunicorn --worker-class gthread … 'bench.ack_only:build()'

Each worker builds it after the fork, as `turnout serve` does; it verifies Slack's signature
the same way (on the raw bytes, then in Bolt) and answers every slash command with an empty
200, doing nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, App

from bot.cli.app import WSGIApp, build_wsgi
from bot.config import Settings
from bot.deps import make_deps
from bot.slack.client import make_client


def _ack(ack: Ack) -> None:
    ack()


def build(listener: Callable[..., None] = _ack, settings: Settings | None = None) -> WSGIApp:
    """The app, answering every slash command with `listener` (by default, an empty ack)."""
    settings = settings or Settings.from_env(require_slack=True)
    app = App(
        # The same client as Turnout's (against the stand-in), for Bolt's one auth.test.
        client=make_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        token_verification_enabled=False,
    )
    app.command(re.compile(".*"))(listener)
    return build_wsgi(app, make_deps(settings))
