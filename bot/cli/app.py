"""The composition root: the Bolt app with every listener, and the WSGI app that serves it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

import handlers
from bot.deps import Deps
from bot.slack.client import make_client

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
# Bolt runs the whole listener, ack included, on this pool: it must be large enough that a
# burst of listeners waiting on Slack (a 429's Retry-After, say) never delays another's ack.
LISTENER_THREADS = 64

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_app(
    deps: Deps,
    *,
    client: WebClient | None = None,
    executor: Executor | None = None,
    verify_token: bool = True,
) -> App:
    """The Bolt app. Listeners ack first and work after, on `executor`'s threads."""
    settings = deps.settings
    app = App(
        client=client or make_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=False,
        listener_executor=executor
        or ThreadPoolExecutor(max_workers=max(LISTENER_THREADS, settings.web_threads * 4)),
        token_verification_enabled=verify_token,
        raise_error_for_unhandled_request=False,
    )
    handlers.register(app, deps)
    return app


def build_wsgi(app: App, deps: Deps) -> WSGIApp:
    """Slack's requests on `/slack/events` (signature checked by Bolt), and `/healthz`."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return healthz(deps, start_response)
        return slack(environ, start_response)

    return application


def healthz(deps: Deps, start_response: Callable[..., Any]) -> Iterable[bytes]:
    try:
        with deps.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception:
        logger.exception("health check: database unreachable")
        start_response("503 Service Unavailable", [("content-type", "text/plain")])
        return [b"database unreachable\n"]
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok\n"]
