"""The Web API stand-in: the slice of Slack's Web API that Turnout uses, on a loopback port.

The real `WebClient` reaches it through `SLACK_API_URL`. It keeps the workspace (people,
channels, messages, views, uploads) and records every call; tests make it fail, rate-limit or
stall on purpose.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from bot.localslack.limits import Refused, check_message, check_view
from bot.localslack.socketmode import SocketModeLink

TEAM_ID = "T0TURNOUT"
APP_ID = "A0TURNOUT"
BOT_USER_ID = "U0TURNOUT"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass
class Person:
    id: str
    name: str
    real_name: str = ""
    email: str | None = None
    tz: str = "America/Chicago"
    is_admin: bool = False
    is_owner: bool = False
    locale: str = "en-US"


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
    metadata: dict[str, Any] | None = None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float


@dataclass
class Refusal:
    """A call the stand-in refused as Slack would: which method, Slack's error code, and why."""

    method: str
    error: str
    detail: str


@dataclass
class Delay:
    """Calls of `method` that do their work at once but answer `seconds` late (as a slow Slack
    does, long after the client may have given up)."""

    method: str
    seconds: float
    remaining: int


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    remaining: int
    error: str | None = None


class LocalSlack:
    """The Web API stand-in: run it with `start()`, point `SLACK_API_URL` at `api_url`.

    It refuses what Slack refuses (`bot.localslack.limits`): oversized or malformed blocks and
    views, over-long text. `strict` (the default) also refuses a message with blocks but no
    fallback text, which Slack itself accepts; either way such a message leaves a warning."""

    def __init__(
        self, token: str = "xoxb-local-turnout", app_token: str = "xapp-local-turnout", *, strict: bool = True
    ) -> None:
        self.token, self.app_token = token, app_token
        self.strict = strict
        self.refusals: list[Refusal] = []
        self.warnings: list[str] = []
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
        self.delays: list[Delay] = []
        # Answers the stand-in could not deliver because the client had hung up.
        self.undelivered = 0
        # Slack's clock, for message timestamps (tests set it to the bot's clock).
        self.clock: Any = time.time
        self.lock = threading.RLock()
        self.gate = threading.Event()
        self.gate.set()
        # Optional posting limits, as Slack enforces them: None means unlimited.
        self.per_channel_interval: float | None = None
        self.workspace_per_second: int | None = None
        self.rate_limited = 0
        # Slack may return fewer items than a list call's `limit`; a test sets this to see paging.
        self.page_size_cap: int | None = None
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

            def do_GET(self) -> None:  # slack_sdk reads some methods (conversations.history) by GET
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

    def delay_next(self, method: str, *, seconds: float, times: int = 1) -> None:
        """Do the next `times` calls of `method` (a message is still stored) but answer `seconds` late."""
        with self.lock:
            self.delays.append(Delay(method, seconds, times))

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
        path, _, query = request.path.partition("?")
        params.update({k: v[0] for k, v in parse_qs(query).items()})
        if path.startswith("/response/"):
            try:
                self._respond(path.removeprefix("/response/"), params)
            except Refused as refused:
                # A response_url answers a refusal with a plain-text 400, not a JSON error.
                self._refuse("response_url", refused)
                return _send(request, 400, refused.error.encode(), "text/plain")
            return _send(request, 200, b"ok", "text/plain")
        method = path.removeprefix("/api/")
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
                try:
                    result = handler(params)
                except Refused as refused:
                    self._refuse(method, refused)
                    result = {"ok": False, "error": refused.error}
        with self.lock:
            delay = next((d for d in self.delays if d.method == method and d.remaining > 0), None)
            if delay is not None:
                delay.remaining -= 1
        if delay is not None:
            time.sleep(delay.seconds)
        try:
            _send(request, 200, json.dumps(result).encode(), "application/json")
        except OSError:  # the client gave up waiting and hung up
            with self.lock:
                self.undelivered += 1

    def _refuse(self, method: str, refused: Refused) -> None:
        with self.lock:
            self.refusals.append(Refusal(method, refused.error, refused.detail))

    def _judge_message(self, method: str, params: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
        """Raise Refused for a message Slack would not take; note its warnings."""
        for warning in check_message(params.get("text"), blocks, require_text=self.strict):
            self.warnings.append(f"{method}: {warning}")

    def _judged_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = dict(_json(params.get("view")))
        check_view(view)
        return view

    def _next_ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ts):06d}"

    def _respond(self, token: str, params: dict[str, Any]) -> None:
        with self.lock:
            previous = [m for m in self.messages if m.response_token == token and not m.deleted]
            if params.get("delete_original"):
                for m in previous:
                    m.deleted = True
                return
            blocks = _blocks(params.get("blocks"))
            self._judge_message("response_url", params, blocks)
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
        user = _user_json(person)
        if _truthy(params.get("include_locale")):  # Slack says a person's locale only when asked
            user["locale"] = person.locale
        return {"ok": True, "user": user}

    def _api_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = [_user_json(p) for p in self.people.values()]
        return self._page("members", members, params)

    def _api_conversations_list(self, params: dict[str, Any]) -> dict[str, Any]:
        channels = [{"id": c.id, "name": c.name, "is_private": c.is_private} for c in self.channels.values()]
        return self._page("channels", channels, params)

    def _page(self, key: str, items: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
        """One page of a cursor-paginated list, as Slack serves it: at most `limit` items (default
        100, at most 1000, and no more than `page_size_cap` when a test sets one, since Slack may
        return fewer than asked), with an opaque `next_cursor` that is empty on the last page."""
        try:
            limit = int(params.get("limit") or DEFAULT_PAGE_SIZE)
            start = _offset(str(params.get("cursor") or ""))
        except ValueError:
            return {"ok": False, "error": "invalid_cursor"}
        size = min(
            limit if limit > 0 else DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, self.page_size_cap or MAX_PAGE_SIZE
        )
        end = start + size
        next_cursor = _cursor(end) if end < len(items) else ""
        return {"ok": True, key: items[start:end], "response_metadata": {"next_cursor": next_cursor}}

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
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.postMessage", params, blocks)
        metadata = _metadata(params.get("metadata"))
        message = Message(channel, self._next_ts(), str(params.get("text", "")), blocks, metadata=metadata)
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": {"text": message.text}}

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """A conversation's messages (files shared in it too), newest first, paged by
        `limit`/`cursor`, from `oldest` on; message metadata only with `include_all_metadata`,
        as Slack does."""
        channel = str(params.get("channel", ""))
        if channel not in self.channels and not channel.startswith("D"):
            return {"ok": False, "error": "channel_not_found"}
        try:
            oldest = float(params.get("oldest") or 0)
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        with_metadata = _truthy(params.get("include_all_metadata"))
        found = [
            m
            for m in self.messages
            if m.channel == channel
            and not m.deleted
            and not m.ephemeral_to
            and not m.response_token
            and float(m.ts) > oldest
        ]
        dated: list[tuple[float, dict[str, Any]]] = []
        for m in found:
            item: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "bot_id": "B0TURNOUT"}
            if with_metadata and m.metadata is not None:
                item["metadata"] = m.metadata
            dated.append((float(m.ts), item))
        for upload in self.uploads:  # a shared file is a message carrying it
            if upload.get("channel") == channel and float(upload["ts"]) > oldest:
                shared = {"id": upload["id"], "name": upload["filename"], "title": upload.get("title")}
                item = {
                    "type": "message",
                    "ts": upload["ts"],
                    "text": upload.get("initial_comment") or "",
                    "files": [shared],
                    "upload": True,
                    "bot_id": "B0TURNOUT",
                }
                dated.append((float(upload["ts"]), item))
        dated.sort(key=lambda pair: pair[0], reverse=True)
        items = [item for _, item in dated]
        page = self._page("messages", items, params)
        if page.get("ok"):
            page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_for_post(str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.postEphemeral", params, blocks)
        message = Message(channel, self._next_ts(), str(params.get("text", "")), blocks, str(params["user"]))
        self.messages.append(message)
        return {"ok": True, "message_ts": message.ts}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self.message(str(params.get("channel")), str(params.get("ts")))
        if message is None or message.deleted:
            return {"ok": False, "error": "message_not_found"}
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.update", params, blocks)
        message.text, message.blocks = str(params.get("text", "")), blocks
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
        view = self._judged_view(params)
        view["id"] = f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        self.view_by_trigger[trigger] = view["id"]
        return {"ok": True, "view": view}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = str(params.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        view = self._judged_view(params)
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
                # Sharing it posts a message in the channel, which history returns.
                "ts": self._next_ts(),
            }
            self.uploads.append(upload)
            done.append({"id": item["id"], "title": item.get("title")})
        return {"ok": True, "files": done}

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = self._judged_view(params)
        view["id"] = f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        self.view_by_trigger[str(params["trigger_id"])] = view["id"]
        return {"ok": True, "view": view}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._judged_view(params)
        self.home_views[str(params.get("user_id"))] = view
        return {"ok": True, "view": view}


# ---------------------------------------------------------------- reading messages


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


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    """Where a cursor from `_cursor` points; ValueError for anything else."""
    if not cursor:
        return 0
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError(cursor) from error
    if kind != "offset" or not number.isdigit():
        raise ValueError(cursor)
    return int(number)


def _params(raw: bytes, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        params: dict[str, Any] = json.loads(raw or b"{}")
        return params
    return {k: v[0] for k, v in parse_qs(raw.decode()).items()}


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        parsed: dict[str, Any] = json.loads(value)
        return parsed
    return dict(value or {})


def _metadata(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    data = json.loads(value) if isinstance(value, str) else dict(value)
    if not isinstance(data, dict) or "event_type" not in data or "event_payload" not in data:
        raise Refused("invalid_metadata_format", f"metadata needs event_type and event_payload: {value!r}")
    return data


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        parsed: list[dict[str, Any]] = json.loads(value)
        return parsed
    return list(value or [])


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


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
