"""The composition root: the Bolt app with every listener, and the WSGI app that serves it."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import sqlalchemy as sa
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

import handlers
from bot.db import READ_ONLY
from bot.deps import Deps
from bot.services import organizations
from bot.slack.client import make_client
from bot.slack.installations import NOT_INSTALLED, authorize, oauth_settings
from bot.slack.signature import StrictSignatureVerifier
from bot.workpool import LISTENER_THREADS, WorkPool

logger = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
# Slack's requests are a few kilobytes; a view submission with many blocks stays well under this.
MAX_BODY_BYTES = 1_000_000

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def build_app(
    deps: Deps,
    *,
    client: WebClient | None = None,
    executor: WorkPool | None = None,
    verify_token: bool = True,
) -> App:
    """The Bolt app. Listeners ack on the request's thread and work on `executor`'s threads.

    `process_before_response=True` makes Bolt run each listener's ack function on the HTTP
    request's thread and return its response as soon as it returns. A slash command's ack
    function hands its work to `executor` and waits a little for the work's reply, to send
    it as the ack (`handlers.common.answered`); a button's acks at once and its work is a
    lazy listener, which Bolt hands to `executor` (`handlers.common.acked_then`). With
    `False`, Bolt would submit the ack function to that same executor, behind other work."""
    settings = deps.settings
    executor = executor or WorkPool(LISTENER_THREADS)
    if deps.installations is not None:
        store = deps.installations
        app = App(
            # No token: each request's comes from its workspace's installation.
            client=client or make_client(settings),
            signing_secret=settings.slack_signing_secret,
            process_before_response=True,
            listener_executor=executor,
            raise_error_for_unhandled_request=False,
            oauth_settings=oauth_settings(
                settings,
                store,
                deps.engine,
                on_installed=partial(installed, deps),
            ),
            # Bolt types `authorize` as returning a result, but its own store authorize may return None.
            authorize=authorize(settings, store),  # type: ignore[arg-type]
            user_facing_authorize_error_message=NOT_INSTALLED,
        )
    else:
        app = App(
            client=client or make_client(settings),
            signing_secret=settings.slack_signing_secret,
            process_before_response=True,
            listener_executor=executor,
            token_verification_enabled=verify_token,
            raise_error_for_unhandled_request=False,
        )
    handlers.register(app, deps)
    return app


def installed(deps: Deps, installation: Installation) -> None:
    """A workspace installed Turnout: it is an organization of the coalition from now on (named
    as Slack names it, unless it chose a name), and its new token is used from the next request."""
    team_id = installation.team_id or ""
    with deps.session() as session:
        organizations.seen(
            session,
            team_id=team_id,
            name=installation.team_name or "",
            enterprise_id=installation.enterprise_id,
            now=deps.clock(),
        )
    deps.workspaces.forget(team_id)


def build_wsgi(app: App, deps: Deps) -> WSGIApp:
    """Slack's requests on `/slack/events`, `/healthz`, and in a coalition the install pages.

    A request reaches Bolt only once its signature is verified on the raw bytes: before
    that nothing parses its body, so nothing in it (a `response_url`, a payload that is
    not JSON) can make the bot act or fail. Bolt then verifies it again on its own.

    `/slack/install` and `/slack/oauth_redirect` are pages a person's browser opens, so they
    carry no signature: Bolt's OAuth flow protects them with a one-time state, issued with a
    cookie and consumed once, and with Slack's single-use code."""
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    verifier = StrictSignatureVerifier(deps.settings.slack_signing_secret or "-")
    flow = app.oauth_flow
    browser_paths = {flow.install_path, flow.redirect_uri_path} if flow is not None else set()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return healthz(deps, start_response)
        if environ.get("PATH_INFO") in browser_paths:
            return install_page(slack, environ, start_response)
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return _plain(start_response, "404 Not Found", b"not found\n")
        body = _read_body(environ)
        if body is None:
            return _plain(start_response, "413 Content Too Large", b"request too large\n")
        headers = {
            "x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
            "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE"),
        }
        if not verifier.is_valid_request(body, {k: v for k, v in headers.items() if v is not None}):
            return _plain(start_response, "401 Unauthorized", b"invalid request\n")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return slack(environ, start_response)

    return application


def install_page(
    slack: SlackRequestHandler, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """The install page or Slack's redirect back to it (GET only), through Bolt's OAuth flow.
    A failure there (the database unreachable) is a plain page, not a traceback."""
    if environ.get("REQUEST_METHOD") != "GET":
        start_response(
            "405 Method Not Allowed",
            [("content-type", "text/plain"), ("allow", "GET"), ("content-length", "19")],
        )
        return [b"method not allowed\n"]
    environ["wsgi.input"] = io.BytesIO(b"")
    environ["CONTENT_LENGTH"] = "0"
    try:
        return list(slack(environ, start_response))
    except Exception:
        logger.exception("the install page failed")
        body = b"Turnout can't finish the install just now. Try again in a minute.\n"
        start_response(
            "503 Service Unavailable",
            [
                ("content-type", "text/plain"),
                ("content-length", str(len(body))),
                ("cache-control", "no-store"),
            ],
        )
        return [body]


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The request's bytes; None when it is larger than any request Slack sends."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return bytes(body)


def _plain(start_response: Callable[..., Any], status: str, body: bytes) -> Iterable[bytes]:
    start_response(status, [("content-type", "text/plain"), ("content-length", str(len(body)))])
    return [body]


def healthz(deps: Deps, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """503 when the database is unreachable. A read: it never waits on another process's writes."""
    try:
        with deps.engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception:
        logger.exception("health check: database unreachable")
        start_response("503 Service Unavailable", [("content-type", "text/plain")])
        return [b"database unreachable\n"]
    start_response("200 OK", [("content-type", "text/plain")])
    return [b"ok\n"]
