"""Slack's other half: slash commands, clicks, submissions and events sent into the bot's WSGI app, signed as Slack signs them."""

from __future__ import annotations

import io
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from bot.localslack.reading import _find_button, message_text
from bot.localslack.signing import signed_headers
from bot.localslack.webapi import APP_ID, TEAM_ID, LocalSlack, Message


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, able to say when every submitted listener has finished."""

    def __init__(self, max_workers: int = 16) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
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
class SlackDriver:
    """Sends Slack's requests into the bot's WSGI app, signed with `signing_secret`."""

    wsgi_app: Callable[..., Iterable[bytes]]
    slack: LocalSlack
    signing_secret: str
    executor: TrackingExecutor | None = None
    path: str = "/slack/events"
    _counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def command(self, command: str, text: str = "", *, user: str, channel: str) -> Exchange:
        token, trigger = self._ids(user, channel)
        person = self.slack.people.get(user)
        form = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "turnout-local",
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
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, channel)

    def click(self, message: Message, action_id: str, *, user: str, value: str | None = None) -> Exchange:
        """Press the button `action_id` (with `value`, if several share it) in `message`."""
        button, block_id = _find_button(message, action_id, value)
        token, trigger = self._ids(user, message.channel)
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral_to is not None,
        }
        payload = _action_payload(user, trigger, button, block_id, action_id)
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
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, message.channel)

    def click_view(
        self, view: dict[str, Any], action_id: str, *, user: str, value: str | None = None
    ) -> Exchange:
        """Press a button in a view (the App Home tab, a modal): Slack sends the view, no response_url."""
        message = Message("", "", "", list(view.get("blocks", [])))
        button, block_id = _find_button(message, action_id, value)
        token, trigger = self._ids(user, "")
        payload = _action_payload(user, trigger, button, block_id, action_id)
        payload["container"] = {"type": "view", "view_id": view.get("id", "VHOME")}
        payload["view"] = view
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, "")

    def submit(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *, user: str) -> Exchange:
        """Submit a modal; `values` maps block_id -> {action_id: value-object as Slack sends it}."""
        token, trigger = self._ids(user, "")
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "turnout-local"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
            "api_app_id": APP_ID,
            "token": "legacy-verification-token",
            "trigger_id": trigger,
            "view": {
                **view,
                "state": {"values": values},
                "hash": f"{time.time():.6f}",
                "app_id": APP_ID,
                "team_id": TEAM_ID,
            },
            "response_urls": [],
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded", token, trigger, user, "")

    def event(self, event: dict[str, Any]) -> Exchange:
        """Deliver an Events API callback (e.g. `app_home_opened`)."""
        token, trigger = self._ids(str(event.get("user", "")), str(event.get("channel", "")))
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
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

    def _ids(self, user: str, channel: str) -> tuple[str, str]:
        n = next(self._counter)
        return f"r{n}.{user}.{channel}", f"trigger.{n}"

    def _channel_name(self, channel: str) -> str:
        found = self.slack.channels.get(channel)
        return found.name if found else "directmessage"

    def _send(
        self, body: bytes, content_type: str, token: str, trigger: str, user: str, channel: str
    ) -> Exchange:
        started = time.monotonic()
        status, text = self._wsgi(body, signed_headers(self.signing_secret, body, content_type))
        acked_in = time.monotonic() - started
        if self.executor is not None:
            self.executor.wait_idle()
        return Exchange(status, text, token, self.slack, trigger, user, channel, acked_in)

    def _wsgi(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": self.path,
            "QUERY_STRING": "",
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

        def start_response(status: str, _headers: list[tuple[str, str]], _exc: Any = None) -> None:
            status_line.append(status)

        chunks = b"".join(self.wsgi_app(environ, start_response))
        return int(status_line[0].split()[0]), chunks.decode()


def _action_payload(
    user: str, trigger: str, button: dict[str, Any], block_id: str, action_id: str
) -> dict[str, Any]:
    """The parts of a `block_actions` payload every button click shares."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": trigger,
        "team": {"id": TEAM_ID, "domain": "turnout-local"},
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
