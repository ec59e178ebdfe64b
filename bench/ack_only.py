"""The load bench's baselines: a Bolt app that only acks, behind the same WSGI front as Turnout.

    gunicorn --worker-class gthread … 'bench.ack_only:build()'
    gunicorn --worker-class gthread … 'bench.ack_only:build_defaults()'

Each worker builds it after the fork, as `turnout serve` does; it verifies Slack's signature
the same way (on the raw bytes, then in Bolt) and answers every slash command with an empty
200, doing nothing else.

- `build()` acks in the request's own thread, before any listener runs
  (`process_before_response=True`, as Turnout runs Bolt): the least an ack can cost.
- `build_defaults()` is the same app with Bolt's defaults, the baseline of the surge issue's
  measurements (about 1,300 acks a second on this machine): Bolt runs the listener on its own
  pool of 5 threads, and the request's thread looks for the ack every 10 ms
  (`slack_bolt.listener.thread_runner`), so each ack takes at least one such look."""

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


def build(
    listener: Callable[..., None] = _ack,
    settings: Settings | None = None,
    *,
    process_before_response: bool = True,
) -> WSGIApp:
    """The app, answering every slash command with `listener` (by default, an empty ack)."""
    settings = settings or Settings.from_env(require_slack=True)
    app = App(
        # The same client as Turnout's (against the stand-in), for Bolt's one auth.test.
        client=make_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=process_before_response,
        token_verification_enabled=False,
    )
    app.command(re.compile(".*"))(listener)
    return build_wsgi(app, make_deps(settings))


def build_defaults() -> WSGIApp:
    """The ack-only app with Bolt's defaults: the listener on Bolt's pool, the ack polled for."""
    return build(process_before_response=False)
