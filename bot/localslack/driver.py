"""Slack's other half: slash commands, clicks, submissions and events sent into the bot's WSGI app,
signed as Slack signs them; and a person's browser installing the app into a workspace.

Each request carries the workspace of the person acting (their `team` in the stand-in), as
Slack's payloads do; one signing secret signs them all, as one app's requests are signed."""

from __future__ import annotations

import html
import io
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot.localslack.reading import _find_button, message_text
from bot.localslack.signing import signed_headers
from bot.localslack.webapi import APP_ID, LocalSlack, Message
from bot.workpool import WorkPool

INSTALL_PATH = "/slack/install"


class TrackingExecutor(WorkPool):
    """Bolt's listener pool, able to say when every piece of work it started has finished."""

    def __init__(self, max_workers: int = 16, waiting: int | None = None) -> None:
        super().__init__(max_workers, waiting)
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()

    def _start(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, first: bool = False
    ) -> Future[Any]:
        future = super()._start(fn, args, kwargs, first=first)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with self._pending_lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                future.result(timeout=max(0.0, deadline - time.monotonic()))


@dataclass
class Exchange:
    """One request Slack sent and what came of it."""

    status: int
    body: str
    token: str
    slack: LocalSlack
    trigger_id: str
    user: str
    channel: str
    # How long the app took to answer the request itself (Slack gives up after three seconds).
    acked_in: float = 0.0

    @property
    def ack(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body.startswith("{") else {}

    @property
    def replies(self) -> list[Message]:
        return self.slack.responses(self.token)

    @property
    def reply(self) -> Message:
        replies = self.replies
        assert replies, f"no reply (ack was {self.status} {self.body!r})"
        return replies[-1]

    @property
    def text(self) -> str:
        return message_text(self.reply)

    @property
    def view(self) -> dict[str, Any] | None:
        return self.slack.view_for_trigger(self.trigger_id)


@dataclass
class Page:
    """What a browser got back from the app: status, headers (lower-case names) and the page."""

    status: int
    headers: dict[str, str]
    body: str

    @property
    def cookie(self) -> str | None:
        """The cookie the page set (`name=value`), as a browser would send it back."""
        set_cookie = self.headers.get("set-cookie")
        return set_cookie.split(";")[0] if set_cookie else None


@dataclass
class SlackDriver:
    """Sends Slack's requests into the bot's WSGI app, signed with `signing_secret`."""

    wsgi_app: Callable[..., Iterable[bytes]]
    slack: LocalSlack
    signing_secret: str
    executor: TrackingExecutor | None = None
    path: str = "/slack/events"
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def command(
        self, command: str, text: str = "", *, user: str, channel: str, team: str | None = None
    ) -> Exchange:
        """`/command text` typed by `user` in `channel`; the payload names `team` (default: the
        user's own workspace)."""
        token, trigger = self._ids(user, channel)
        person = self.slack.people.get(user)
        workspace = self.slack.workspace(team or self.slack.team_of(user))
        form = {
            "token": "legacy-verification-token",
            "team_id": workspace.team_id,
            "team_domain": workspace.domain,
            "channel_id": channel,
            "channel_name": self._channel_name(channel),
            "user_id": user,
            "user_name": person.name if person else user.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.slack.response_url(token),
            "trigger_id": trigger,
        }
        body = urlencode(form).encode()
        return self._send(
            body, "application/x-www-form-urlencoded", token, trigger, user, channel, command=True
        )

    def click(
        self,
        message: Message,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        team: str | None = None,
        wait: bool = True,
    ) -> Exchange:
        """Press the button `action_id` (with `value`, if several share it) in `message`.
        Returns once its work is over, or with `wait=False` once it is acked."""
        button, block_id = _find_button(message, action_id, value)
        token, trigger = self._ids(user, message.channel)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral_to is not None,
        }
        payload = self._action_payload(user, trigger, button, block_id, action_id, team)
        payload["container"] = container
        payload["channel"] = {"id": message.channel, "name": self._channel_name(message.channel)}
        payload["response_url"] = self.slack.response_url(token)
        payload["state"] = {"values": {}}
        if message.ephemeral_to is None:
            # Slack includes the message only where it is not ephemeral.
            payload["message"] = {
                "type": "message",
                "ts": message.ts,
                "text": message.text,
                "blocks": message.blocks,
            }
        with self.slack.lock:
            # The workspace's own copy: a click on an outdated copy still answers into the real message.
            self.slack.response_targets[token] = self.slack.message(message.channel, message.ts) or message
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(
            body, "application/x-www-form-urlencoded", token, trigger, user, message.channel, wait=wait
        )

    def click_view(
        self,
        view: dict[str, Any],
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        team: str | None = None,
    ) -> Exchange:
        """Press a button in a view (the App Home tab, a modal): Slack sends the view, no response_url."""
        message = Message("", "", "", list(view.get("blocks", [])))
        button, block_id = _find_button(message, action_id, value)
        token, trigger = self._ids(user, "")
        payload = self._action_payload(user, trigger, button, block_id, action_id, team)
        payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
        payload["view"] = view
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, "")

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        *,
        user: str,
        team: str | None = None,
        wait: bool = True,
    ) -> Exchange:
        """Submit a modal; `values` maps block_id -> {action_id: value-object as Slack sends it}.
        Returns once its work is over, or with `wait=False` once it is acked."""
        token, trigger = self._ids(user, "")
        workspace = self.slack.workspace(team or self.slack.team_of(user))
        payload = {
            "type": "view_submission",
            "team": {"id": workspace.team_id, "domain": workspace.domain},
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.slack.team_of(user),
            },
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": trigger,
            "view": {
                **view,
                "state": {"values": values},
                "hash": f"{time.time():.6f}",
                "app_id": APP_ID,
                "team_id": workspace.team_id,
            },
            "response_urls": [],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, "", wait=wait)

    def event(self, event: dict[str, Any], *, team: str | None = None) -> Exchange:
        """Deliver an Events API callback (e.g. `app_home_opened`) from `team` (default: the
        workspace of the event's user)."""
        token, trigger = self._ids(str(event.get("user", "")), str(event.get("channel", "")))
        payload = {
            "token": "legacy-verification-token",
            "team_id": team or self.slack.team_of(str(event.get("user", ""))),
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{token}",
            "event_time": int(time.time()),
            "event": event,
        }
        body = json.dumps(payload).encode()
        return self._send(body, "application/json", token, trigger, str(event.get("user", "")), "")

    def send_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        """Deliver bytes with the given headers, unsigned: for testing what unsigned requests get."""
        return self._wsgi(body, headers)

    # ------------------------------------------------------------ a browser installing the app

    def get(self, path: str, query: str = "", *, cookie: str | None = None) -> Page:
        """A browser's GET of one of the app's pages."""
        headers = {"cookie": cookie} if cookie else {}
        status, response_headers, body = self._call("GET", path, query, b"", headers)
        return Page(status, response_headers, body)

    def install_page(self) -> tuple[Page, str]:
        """Open the app's install page: the page, and the "Add to Slack" link on it."""
        page = self.get(INSTALL_PATH)
        links = re.findall(r'href="([^"]+)"', page.body)
        assert page.status == 200 and links, f"no install link on the install page: {page.status} {page.body}"
        return page, html.unescape(links[-1])

    def install(self, team_id: str, installer: str | None = None, *, allow: bool = True) -> Page:
        """Install the app into `team_id` as a person would: open the install page, follow its
        link to Slack's consent page, answer it as `installer` (default: the workspace's first
        admin), and come back to the app's redirect page with the cookie the install page set."""
        page, link = self.install_page()
        installer = installer or self._first_admin(team_id)
        back = urlsplit(self.slack.consent(link, team_id, installer, allow=allow))
        return self.get(back.path, back.query, cookie=page.cookie)

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: Slack revokes its tokens and tells the app
        (`app_uninstalled`, then `tokens_revoked`)."""
        bot_user = self.slack.workspace(team_id).bot_user_id
        self.slack.uninstall(team_id)
        self.event({"type": "app_uninstalled"}, team=team_id)
        self.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [bot_user]}}, team=team_id)

    def _first_admin(self, team_id: str) -> str:
        people = [p for p in self.slack.people.values() if p.team == team_id]
        admin = next((p for p in people if p.is_admin or p.is_owner), None)
        assert admin is not None or people, f"nobody in {team_id} to install the app"
        return (admin or people[0]).id

    def _ids(self, user: str, channel: str) -> tuple[str, str]:
        n = next(self._counter)
        return f"r{n}.{user}.{channel}", f"trigger.{n}"

    def _channel_name(self, channel: str) -> str:
        found = self.slack.channels.get(channel)
        return found.name if found else "directmessage"

    def _send(
        self,
        body: bytes,
        content_type: str,
        token: str,
        trigger: str,
        user: str,
        channel: str,
        *,
        command: bool = False,
        wait: bool = True,
    ) -> Exchange:
        started = time.monotonic()
        status, text = self._wsgi(body, signed_headers(self.signing_secret, body, content_type))
        acked_in = time.monotonic() - started
        if command and status == 200 and text:
            # A slash command's ack may carry its reply, which Slack shows like one sent later.
            self.slack.answer_in_ack(token, text)
        if self.executor is not None and wait:
            self.executor.wait_idle()
        return Exchange(status, text, token, self.slack, trigger, user, channel, acked_in)

    def _wsgi(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        status, _headers, text = self._call("POST", self.path, "", body, headers)
        return status, text

    def _call(
        self, method: str, path: str, query: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], str]:
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "3000",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
        status_line: list[str] = []
        response_headers: dict[str, str] = {}

        def start_response(status: str, headers: list[tuple[str, str]], _exc: Any = None) -> None:
            status_line.append(status)
            response_headers.update((name.lower(), value) for name, value in headers)

        chunks = b"".join(self.wsgi_app(environ, start_response))
        return int(status_line[0].split()[0]), response_headers, chunks.decode()

    def _action_payload(
        self,
        user: str,
        trigger: str,
        button: dict[str, Any],
        block_id: str,
        action_id: str,
        team: str | None,
    ) -> dict[str, Any]:
        """The parts of a `block_actions` payload every button click shares."""
        workspace = self.slack.workspace(team or self.slack.team_of(user))
        return {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": self.slack.team_of(user),
            },
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": trigger,
            "team": {"id": workspace.team_id, "domain": workspace.domain},
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "type": "button",
                    "value": button.get("value", ""),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
