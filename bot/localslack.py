"""A local stand-in for Slack, for `turnout shell` and the test suite.

`LocalSlack` serves the slice of the Web API Turnout uses on a loopback port, so the real
`WebClient` reaches it through `SLACK_API_URL`; it keeps the workspace (people, channels,
messages, views) and records every call. `SlackDriver` plays Slack's other half: it sends
slash commands, button clicks and modal submissions into the bot's WSGI app, signed
exactly as Slack signs them, and collects what the bot answered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

TEAM_ID = "T0TURNOUT"
APP_ID = "A0TURNOUT"
BOT_USER_ID = "U0TURNOUT"


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` Slack sends: v0=HMAC-SHA256(secret, "v0:{ts}:{body}")."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": ts,
        "x-slack-signature": slack_signature(secret, ts, body),
    }


@dataclass
class Person:
    id: str
    name: str
    real_name: str = ""
    email: str | None = None
    tz: str = "America/Chicago"
    is_admin: bool = False
    is_owner: bool = False


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False


@dataclass
class Message:
    """Something the bot showed: a channel post, a DM, an ephemeral reply or a response."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    ephemeral_to: str | None = None
    response_token: str | None = None
    deleted: bool = False
    edits: int = 0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    remaining: int
    error: str | None = None


class LocalSlack:
    """The Web API stand-in: run it with `start()`, point `SLACK_API_URL` at `api_url`."""

    def __init__(self, token: str = "xoxb-local-turnout", app_token: str = "xapp-local-turnout") -> None:
        self.token, self.app_token = token, app_token
        self.socket_mode: SocketModeLink | None = None
        self.people: dict[str, Person] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self.views: dict[str, dict[str, Any]] = {}
        self.view_by_trigger: dict[str, str] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.uploads: list[dict[str, Any]] = []
        self.pending_files: dict[str, dict[str, Any]] = {}
        # The message a click's response_url replaces when the bot answers replace_original.
        self.response_targets: dict[str, Message] = {}
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.lock = threading.RLock()
        self.gate = threading.Event()
        self.gate.set()
        # Optional posting limits, as Slack enforces them: None means unlimited.
        self.per_channel_interval: float | None = None
        self.workspace_per_second: int | None = None
        self.rate_limited = 0
        self._last_post: dict[str, float] = {}
        self._recent_posts: list[float] = []
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> LocalSlack:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stand_in._serve(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-slack", daemon=True
        ).start()
        return self

    def open_socket_mode(self) -> SocketModeLink:
        """Accept Socket Mode connections (apps.connections.open hands out their URL)."""
        self.socket_mode = SocketModeLink()
        return self.socket_mode

    def stop(self) -> None:
        if self.socket_mode is not None:
            self.socket_mode.close()
        if self._server is not None:
            self.gate.set()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def response_url(self, token: str) -> str:
        return f"{self.base_url}/response/{token}"

    # ------------------------------------------------------------ the workspace

    def add_person(self, user_id: str, name: str, **fields: Any) -> Person:
        person = Person(user_id, name, **fields)
        self.people[user_id] = person
        return person

    def add_channel(self, channel_id: str, name: str, is_private: bool = False) -> Channel:
        channel = Channel(channel_id, name, is_private)
        self.channels[channel_id] = channel
        return channel

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        times: int = 1,
        retry_after: int | None = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (429 carries Retry-After)."""
        with self.lock:
            self.failures.append(Failure(method, status, retry_after, times, error))

    def limit_posts(self, *, per_channel_interval: float = 1.0, workspace_per_second: int = 100) -> None:
        """Answer chat.postMessage with 429 + Retry-After past these limits, as Slack does."""
        self.per_channel_interval, self.workspace_per_second = per_channel_interval, workspace_per_second

    def _over_limit(self, channel: str) -> float | None:
        """Seconds to wait if this post would break a limit (nothing is recorded then)."""
        now = time.monotonic()
        if self.per_channel_interval is not None:
            wait = self._last_post.get(channel, float("-inf")) + self.per_channel_interval - now
            if wait > 0:
                return wait
        if self.workspace_per_second is not None:
            self._recent_posts = [t for t in self._recent_posts if t > now - 1.0]
            if len(self._recent_posts) >= self.workspace_per_second:
                return self._recent_posts[0] + 1.0 - now
        self._last_post[channel] = now
        self._recent_posts.append(now)
        return None

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def posts_in(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == channel and not m.ephemeral_to and not m.deleted]

    def dms_to(self, user_id: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == f"D{user_id}" and not m.deleted]

    def responses(self, token: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.response_token == token and not m.deleted]

    def message(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages if m.channel == channel and m.ts == ts), None)

    def view_for_trigger(self, trigger_id: str) -> dict[str, Any] | None:
        with self.lock:
            view_id = self.view_by_trigger.get(trigger_id)
            return self.views.get(view_id) if view_id else None

    # ------------------------------------------------------------ HTTP

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        raw = request.rfile.read(length)
        self.gate.wait(timeout=30)
        if request.path.startswith("/upload/"):
            with self.lock:
                self.pending_files[request.path.removeprefix("/upload/")]["content"] = raw
            return _send(request, 200, f"OK - {len(raw)}".encode(), "text/plain")
        params = _params(raw, request.headers.get("content-type", ""))
        if request.path.startswith("/response/"):
            self._respond(request.path.removeprefix("/response/"), params)
            return _send(request, 200, b"ok", "text/plain")
        method = request.path.removeprefix("/api/")
        with self.lock:
            self.calls.append(Call(method, params, time.monotonic()))
            failure = next((f for f in self.failures if f.method == method and f.remaining > 0), None)
            if failure is not None:
                failure.remaining -= 1
            if failure is None and method == "chat.postMessage":
                wait = self._over_limit(str(params.get("channel", "")))
                if wait is not None:
                    self.rate_limited += 1
                    failure = Failure(method, 429, max(1, math.ceil(wait)), 0)
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.status == 429 else {}
            body = {
                "ok": False,
                "error": failure.error or ("ratelimited" if failure.status == 429 else "fatal_error"),
            }
            return _send(request, failure.status, json.dumps(body).encode(), "application/json", headers)
        auth = request.headers.get("authorization", "")
        expected = self.app_token if method == "apps.connections.open" else self.token
        if method != "api.test" and auth != f"Bearer {expected}":
            return _send(request, 200, b'{"ok": false, "error": "invalid_auth"}', "application/json")
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            result: dict[str, Any] = {"ok": False, "error": "unknown_method"}
        else:
            with self.lock:
                result = handler(params)
        _send(request, 200, json.dumps(result).encode(), "application/json")

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _respond(self, token: str, params: dict[str, Any]) -> None:
        with self.lock:
            previous = [m for m in self.messages if m.response_token == token and not m.deleted]
            if params.get("delete_original"):
                for m in previous:
                    m.deleted = True
                return
            blocks = _blocks(params.get("blocks"))
            text = str(params.get("text", ""))
            target = previous[-1] if previous else self.response_targets.get(token)
            if _truthy(params.get("replace_original")) and target is not None:
                target.text, target.blocks, target.edits = text, blocks, target.edits + 1
                target.response_token = token
                return
            user, channel = token.split(".")[1:3] if token.count(".") >= 2 else ("", "")
            in_channel = params.get("response_type") == "in_channel"
            self.messages.append(
                Message(channel, self._next_ts(), text, blocks, None if in_channel else user, token)
            )

    # ------------------------------------------------------------ Web API methods

    def _api_api_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _api_apps_connections_open(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode.url}

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "team_id": TEAM_ID,
            "team": "Turnout Local",
            "user_id": BOT_USER_ID,
            "bot_id": "B0TURNOUT",
        }

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        person = self.people.get(str(params.get("user")))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": _user_json(person)}

    def _api_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "members": [_user_json(p) for p in self.people.values()], "response_metadata": {}}

    def _api_conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = [{"id": c.id, "name": c.name, "is_private": c.is_private} for c in self.channels.values()]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def _api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(params.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {"id": channel.id, "name": channel.name, "is_private": channel.is_private},
        }

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).split(",")[0]}}

    def _channel_for_post(self, channel: str) -> str | None:
        if channel.startswith(("U", "W")) and channel in self.people:
            return "D" + channel  # posting to a user id writes in the app's DM with them
        if channel in self.channels or channel.startswith("D"):
            return channel
        return None

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        message = Message(
            channel, self._next_ts(), str(params.get("text", "")), _blocks(params.get("blocks"))
        )
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": {"text": message.text}}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        message = Message(
            channel,
            self._next_ts(),
            str(params.get("text", "")),
            _blocks(params.get("blocks")),
            str(params["user"]),
        )
        self.messages.append(message)
        return {"ok": True, "message_ts": message.ts}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.message(str(params.get("channel")), str(params.get("ts")))
        if message is None or message.deleted:
            return {"ok": False, "error": "message_not_found"}
        message.text, message.blocks = str(params.get("text", "")), _blocks(params.get("blocks"))
        message.edits += 1
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.message(str(params.get("channel")), str(params.get("ts")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.deleted = True
        return {"ok": True}

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        trigger = str(params.get("trigger_id", ""))
        if not trigger:
            return {"ok": False, "error": "invalid_trigger_id"}
        view = dict(_json(params.get("view")))
        view["id"] = f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        self.view_by_trigger[trigger] = view["id"]
        return {"ok": True, "view": view}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        view = dict(_json(params.get("view")))
        view["id"] = view_id
        self.views[view_id] = view
        return {"ok": True, "view": view}

    def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self.pending_files[file_id] = {"id": file_id, "filename": params["filename"], "content": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        done = []
        for item in files:
            pending = self.pending_files.pop(item["id"], None)
            if pending is None or pending["content"] is None:
                return {"ok": False, "error": "file_not_found"}
            upload = {
                **pending,
                "title": item.get("title"),
                "channel": params.get("channel_id"),
                "initial_comment": params.get("initial_comment"),
            }
            self.uploads.append(upload)
            done.append({"id": item["id"], "title": item.get("title")})
        return {"ok": True, "files": done}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = dict(_json(params.get("view")))
        self.home_views[str(params.get("user_id"))] = view
        return {"ok": True, "view": view}


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeLink:
    """Slack's side of Socket Mode, minimally: a websocket on loopback (`ws://`) that says hello,
    delivers envelopes, answers pings, and records what the app sends back (its acks)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, name="socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link/?ticket=local"

    def send(self, envelope: dict[str, Any]) -> None:
        with self._lock:
            for client in self._clients:
                client.sendall(_ws_frame(0x1, json.dumps(envelope).encode()))

    def acks_for(self, envelope_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.received if m.get("envelope_id") == envelope_id]

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = client.recv(4096)
            if not chunk:
                return
            request += chunk
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()
        client.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        client.sendall(_ws_frame(0x1, json.dumps({"type": "hello", "num_connections": 1}).encode()))
        with self._lock:
            self._clients.append(client)
        self.connected.set()
        while True:
            try:
                opcode, payload = _ws_read(client)
            except OSError:
                return
            if opcode == 0x8:
                return
            if opcode == 0x9:
                with self._lock:
                    client.sendall(_ws_frame(0xA, payload))
            elif opcode == 0x1:
                with self._lock:
                    self.received.append(json.loads(payload))


def _ws_frame(opcode: int, payload: bytes) -> bytes:
    """An unmasked server frame."""
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, length])
    elif length < 65536:
        header = bytes([0x80 | opcode, 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + length.to_bytes(8, "big")
    return header + payload


def _ws_read(client: socket.socket) -> tuple[int, bytes]:
    """One (masked) client frame: its opcode and payload."""

    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = client.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    first, second = exactly(2)
    length = second & 0x7F
    if length == 126:
        length = int.from_bytes(exactly(2), "big")
    elif length == 127:
        length = int.from_bytes(exactly(8), "big")
    mask = exactly(4) if second & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(exactly(length)))
    return first & 0x0F, payload


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
        status, text = self._wsgi(body, signed_headers(self.signing_secret, body, content_type))
        if self.executor is not None:
            self.executor.wait_idle()
        return Exchange(status, text, token, self.slack, trigger, user, channel)

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


# ---------------------------------------------------------------- reading messages


def message_text(message: Message) -> str:
    """All the words a person sees in a message, blocks and all, on separate lines."""
    return "\n".join(block_texts(message.blocks)) or message.text


def block_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    for block in blocks:
        for key in ("text", "label"):
            if isinstance(block.get(key), dict):
                yield block[key].get("text", "")
        for item in block.get("fields", []) + block.get("elements", []):
            if item.get("type") in ("mrkdwn", "plain_text"):
                yield item.get("text", "")
            elif item.get("type") == "button":
                yield "[" + item["text"]["text"] + "]"
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            yield "[" + accessory["text"]["text"] + "]"


def buttons(message: Message) -> list[dict[str, Any]]:
    """Every button in the message, in reading order."""
    found: list[dict[str, Any]] = []
    for block in message.blocks:
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            found.append({**accessory, "block_id": block.get("block_id", "")})
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found.append({**element, "block_id": block.get("block_id", "")})
    return found


def _find_button(message: Message, action_id: str, value: str | None) -> tuple[dict[str, Any], str]:
    for button in buttons(message):
        if button.get("action_id") == action_id and (value is None or button.get("value") == value):
            return button, button["block_id"]
    raise LookupError(f"no button {action_id!r} (value {value!r}) in message: {message_text(message)!r}")


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


def _user_json(person: Person) -> dict[str, Any]:
    profile: dict[str, Any] = {"display_name": person.name, "real_name": person.real_name or person.name}
    if person.email:
        profile["email"] = person.email
    return {
        "id": person.id,
        "team_id": TEAM_ID,
        "name": person.name,
        "real_name": person.real_name or person.name,
        "tz": person.tz,
        "is_admin": person.is_admin,
        "is_owner": person.is_owner,
        "is_bot": False,
        "deleted": False,
        "profile": profile,
    }


def _params(raw: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw or b"{}")
    return {k: v[0] for k, v in parse_qs(raw.decode()).items()}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return json.loads(value)
    return dict(value or {})


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return json.loads(value)
    return list(value or [])


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _send(
    request: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> None:
    request.send_response(status)
    request.send_header("content-type", content_type)
    request.send_header("content-length", str(len(body)))
    for name, value in (headers or {}).items():
        request.send_header(name, value)
    request.end_headers()
    request.wfile.write(body)
