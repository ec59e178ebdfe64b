"""The Web API stand-in: the slice of Slack's Web API that Turnout uses, on a loopback port.

The real `WebClient` reaches it through `SLACK_API_URL`. It keeps workspaces (people,
channels, messages, views, uploads) and records every call; tests make it fail, rate-limit or
stall on purpose.

It starts with one workspace (`TEAM_ID`) whose bot token is the one it was made with. More
can be added (`add_workspace`), and installed the way a coalition installs Turnout: Slack's
consent page (`consent`, or GET /oauth/v2/authorize) then `oauth.v2.access`, which mints the
workspace's bot token. Each token acts in its own workspace only: another workspace's channel
or person is refused as Slack refuses it (`channel_not_found`, `user_not_found`), and the
refusal is recorded, so a test that sent with the wrong workspace's token fails.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.localslack.limits import Refused, check_message, check_view
from bot.localslack.socketmode import SocketModeLink

TEAM_ID = "T0TURNOUT"
APP_ID = "A0TURNOUT"
BOT_USER_ID = "U0TURNOUT"
# Where Slack sends the browser after consent when the app names no redirect URL of its own.
DEFAULT_REDIRECT_URI = "https://turnout.example.org/slack/oauth_redirect"
# An OAuth code is good once, for ten minutes.
CODE_SECONDS = 600
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


@dataclass
class Workspace:
    """A Slack workspace: its bot's live tokens, and the ones uninstalling revoked."""

    team_id: str
    name: str
    domain: str
    bot_user_id: str
    bot_id: str
    tokens: set[str] = field(default_factory=set)
    revoked: set[str] = field(default_factory=set)

    @property
    def installed(self) -> bool:
        return bool(self.tokens)


@dataclass
class Person:
    id: str
    name: str
    real_name: str = ""
    email: str | None = None
    tz: str = "America/Chicago"
    is_admin: bool = False
    is_owner: bool = False
    team: str = ""
    locale: str = "en-US"


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    team: str = ""


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
    team: str = ""


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    # The workspace whose token made the call (None: no token, or one Slack would not know).
    team: str | None = None
    token: str = ""


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
    team: str | None = None  # None: calls with any workspace's token


@dataclass
class Failure:
    method: str
    status: int
    retry_after: int | None
    remaining: int
    error: str | None = None
    team: str | None = None  # None: calls with any workspace's token


@dataclass
class OAuthApp:
    """The distributed app as Slack knows it: its credentials and its redirect URL."""

    client_id: str
    client_secret: str
    redirect_uri: str


@dataclass
class Grant:
    """An approved install waiting for `oauth.v2.access`: single-use, for ten minutes."""

    team_id: str
    installer_id: str
    scopes: str
    redirect_uri: str | None
    expires_at: float


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
        self.workspaces: dict[str, Workspace] = {}
        self.oauth: OAuthApp | None = None
        self._grants: dict[str, Grant] = {}
        self.refusals: list[Refusal] = []
        self.warnings: list[str] = []
        self.socket_mode: SocketModeLink | None = None
        self.people: dict[str, Person] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        # Lookups by response token and by (channel, ts), kept in step with `messages`
        # (`_indexed` counts the messages indexed so far, so appending directly is fine too).
        self._by_token: dict[str, list[Message]] = {}
        self._by_ts: dict[tuple[str, str], Message] = {}
        self._indexed = 0
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
        # chat.update's limit (Tier 3), when set: at most so many calls in a window of seconds.
        self.update_limit: tuple[int, float] | None = None
        self.rate_limited = 0
        # Slack may return fewer items than a list call's `limit`; a test sets this to see paging.
        self.page_size_cap: int | None = None
        self._last_post: dict[str, float] = {}
        self._recent_posts: dict[str, list[float]] = {}
        self._recent_updates: dict[str, list[float]] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self.add_workspace(TEAM_ID, "Turnout Local", "turnout-local", bot_user_id=BOT_USER_ID, token=token)

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
        self.socket_mode = SocketModeLink(
            on_reply=lambda url, payload: self.answer_in_ack(url.rsplit("/response/", 1)[-1], payload)
        )
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

    # ------------------------------------------------------------ workspaces

    @property
    def team_id(self) -> str:
        """The first workspace: the one people and channels join unless told otherwise."""
        return next(iter(self.workspaces))

    def add_workspace(
        self,
        team_id: str,
        name: str,
        domain: str | None = None,
        *,
        bot_user_id: str | None = None,
        token: str | None = None,
    ) -> Workspace:
        """A workspace, with the app installed under `token`, or not installed (None) until an
        install through OAuth mints its token."""
        with self.lock:
            assert team_id not in self.workspaces, f"workspace {team_id} exists already"
            suffix = team_id.removeprefix("T")
            workspace = Workspace(
                team_id,
                name,
                domain or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                bot_user_id or f"U0BOT{suffix}",
                "B0" + suffix,
            )
            if token:
                assert self._workspace_of_token(token) is None, f"token {token} is another workspace's"
                workspace.tokens.add(token)
            self.workspaces[team_id] = workspace
            return workspace

    def workspace(self, team_id: str | None = None) -> Workspace:
        return self.workspaces[team_id or self.team_id]

    def team_of(self, user_or_channel: str) -> str:
        """The workspace a person or channel (or a person's DM, `D` + user id) belongs to."""
        person = self.people.get(user_or_channel) or self.people.get(user_or_channel.removeprefix("D"))
        if person is not None:
            return person.team
        channel = self.channels.get(user_or_channel)
        return channel.team if channel is not None else self.team_id

    def token_for(self, team_id: str) -> str:
        """A live bot token of `team_id` (the workspace must be installed)."""
        tokens = self.workspace(team_id).tokens
        assert tokens, f"Turnout is not installed in {team_id}"
        return min(tokens)

    def _workspace_of_token(self, token: str) -> Workspace | None:
        return next((w for w in self.workspaces.values() if token in w.tokens), None)

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: its tokens are revoked at once."""
        with self.lock:
            workspace = self.workspace(team_id)
            workspace.revoked |= workspace.tokens
            workspace.tokens.clear()

    # ------------------------------------------------------------ installing through OAuth

    def enable_oauth(
        self, client_id: str, client_secret: str, redirect_uri: str = DEFAULT_REDIRECT_URI
    ) -> OAuthApp:
        """Make the app distributable: workspaces install it with these credentials."""
        self.oauth = OAuthApp(client_id, client_secret, redirect_uri)
        return self.oauth

    def consent(self, authorize_url: str, team_id: str, installer_id: str, *, allow: bool = True) -> str:
        """What Slack's consent page does when `installer_id` of `team_id` answers it: the URL
        Slack sends the browser back to, with a single-use code (or `error=access_denied`)."""
        assert self.oauth is not None, "enable_oauth() first"
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorize_url).query).items()}
        if query.get("client_id") != self.oauth.client_id:
            raise ValueError(f"Slack shows an error page: unknown client_id {query.get('client_id')!r}")
        redirect_uri = query.get("redirect_uri")
        if redirect_uri is not None and redirect_uri != self.oauth.redirect_uri:
            raise ValueError(f"Slack shows an error page: redirect_uri {redirect_uri!r} is not the app's")
        back: dict[str, str] = {}
        if allow:
            code = f"code-{team_id}-{next(self._ids)}"
            with self.lock:
                self._grants[code] = Grant(
                    team_id,
                    installer_id,
                    query.get("scope", ""),
                    redirect_uri,
                    time.monotonic() + CODE_SECONDS,
                )
            back["code"] = code
        else:
            back["error"] = "access_denied"
        if "state" in query:
            back["state"] = query["state"]
        return f"{redirect_uri or self.oauth.redirect_uri}?{urlencode(back)}"

    # ------------------------------------------------------------ people, channels, faults

    def add_person(self, user_id: str, name: str, *, team: str | None = None, **fields: Any) -> Person:
        team_id = self.workspace(team).team_id
        existing = self.people.get(user_id)
        assert existing is None or existing.team == team_id, f"{user_id} is in {existing.team} already"
        person = Person(user_id, name, **fields, team=team_id)
        self.people[user_id] = person
        return person

    def add_channel(
        self, channel_id: str, name: str, is_private: bool = False, *, team: str | None = None
    ) -> Channel:
        team_id = self.workspace(team).team_id
        existing = self.channels.get(channel_id)
        assert existing is None or existing.team == team_id, f"{channel_id} is in {existing.team} already"
        channel = Channel(channel_id, name, is_private, team_id)
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
        team: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (with `team`'s token, or any) with `status`
        (429 carries Retry-After)."""
        with self.lock:
            self.failures.append(Failure(method, status, retry_after, times, error, team))

    def delay_next(self, method: str, *, seconds: float, times: int = 1, team: str | None = None) -> None:
        """Do the next `times` calls of `method` (with `team`'s token, or any; a message is still
        stored) but answer `seconds` late."""
        with self.lock:
            self.delays.append(Delay(method, seconds, times, team))

    def limit_posts(self, *, per_channel_interval: float = 1.0, workspace_per_second: int = 100) -> None:
        """Answer chat.postMessage with 429 + Retry-After past these limits, as Slack does
        (the workspace's limit counts each workspace's posts apart)."""
        self.per_channel_interval, self.workspace_per_second = per_channel_interval, workspace_per_second

    def limit_updates(self, calls: int = 50, window: float = 60.0) -> None:
        """Answer chat.update with 429 + Retry-After past `calls` in any `window` seconds in a
        workspace, as Slack does for a Tier 3 method (50 a minute); tests scale the window."""
        self.update_limit = (calls, window)

    def _update_over_limit(self, team: str) -> float | None:
        """Seconds to wait if this chat.update would break its limit (nothing is recorded then)."""
        if self.update_limit is None:
            return None
        calls, window = self.update_limit
        now = time.monotonic()
        recent = self._recent_updates.setdefault(team, [])
        recent[:] = [t for t in recent if t > now - window]
        if len(recent) >= calls:
            return recent[0] + window - now
        recent.append(now)
        return None

    def _over_limit(self, channel: str, team: str) -> float | None:
        """Seconds to wait if this post would break a limit (nothing is recorded then)."""
        now = time.monotonic()
        if self.per_channel_interval is not None:
            wait = self._last_post.get(channel, float("-inf")) + self.per_channel_interval - now
            if wait > 0:
                return wait
        recent = self._recent_posts.setdefault(team, [])
        if self.workspace_per_second is not None:
            recent[:] = [t for t in recent if t > now - 1.0]
            if len(recent) >= self.workspace_per_second:
                return recent[0] + 1.0 - now
        self._last_post[channel] = now
        recent.append(now)
        return None

    def calls_to(self, method: str, team: str | None = None) -> list[Call]:
        """The calls of `method` (made with `team`'s token, when given)."""
        with self.lock:
            return [c for c in self.calls if c.method == method and (team is None or c.team == team)]

    def posts_in(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == channel and not m.ephemeral_to and not m.deleted]

    def dms_to(self, user_id: str) -> list[Message]:
        with self.lock:
            return [m for m in self.messages if m.channel == f"D{user_id}" and not m.deleted]

    def responses(self, token: str) -> list[Message]:
        with self.lock:
            self._index()
            return [m for m in self._by_token.get(token, []) if m.response_token == token and not m.deleted]

    def message(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            self._index()
            return self._by_ts.get((channel, ts))

    def store(self, message: Message) -> Message:
        """Keep `message` in the workspace, as if the bot had posted it."""
        with self.lock:
            self.messages.append(message)
        return message

    def answer_in_ack(self, token: str, body: str | dict[str, Any]) -> None:
        """A slash command's ack that carries a reply (JSON, or plain text): Slack shows it as it
        shows a reply sent to the response_url, and refuses it on the same grounds."""
        if not body:
            return  # an empty ack: the reply, if any, comes through the response_url
        if isinstance(body, str):
            body = _json(body) if body.startswith("{") else {"text": body}
        try:
            self._respond(token, body)
        except Refused as refused:
            self._refuse("ack", refused)

    def _index(self) -> None:
        for message in self.messages[self._indexed :]:
            self._by_ts.setdefault((message.channel, message.ts), message)
            if message.response_token:
                self._by_token.setdefault(message.response_token, []).append(message)
        self._indexed = len(self.messages)

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
        if path == "/oauth/v2/authorize":
            return self._authorize_page(request)
        method = path.removeprefix("/api/")
        auth = request.headers.get("authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        with self.lock:
            caller = self._workspace_of_token(token)
            team = caller.team_id if caller is not None else None
            self.calls.append(Call(method, params, time.monotonic(), team, token))
            failure = next(
                (
                    f
                    for f in self.failures
                    if f.method == method and f.remaining > 0 and f.team in (None, team)
                ),
                None,
            )
            if failure is not None:
                failure.remaining -= 1
            if failure is None and method in ("chat.postMessage", "chat.update"):
                wait = (
                    self._over_limit(str(params.get("channel", "")), team or "")
                    if method == "chat.postMessage"
                    else self._update_over_limit(team or "")
                )
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
        refused_auth = self._check_auth(method, token, auth, caller)
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if refused_auth is not None:
            result: dict[str, Any] = {"ok": False, "error": refused_auth}
        elif handler is None:
            result = {"ok": False, "error": "unknown_method"}
        else:
            with self.lock:
                try:
                    # Methods without a bot token (api.test, apps.connections.open,
                    # oauth.v2.access) are given the Authorization header instead.
                    result = handler(params, caller if caller is not None else auth)
                except Refused as refused:
                    self._refuse(method, refused)
                    result = {"ok": False, "error": refused.error}
        with self.lock:
            delay = next(
                (d for d in self.delays if d.method == method and d.remaining > 0 and d.team in (None, team)),
                None,
            )
            if delay is not None:
                delay.remaining -= 1
        if delay is not None:
            time.sleep(delay.seconds)
        try:
            _send(request, 200, json.dumps(result).encode(), "application/json")
        except OSError:  # the client gave up waiting and hung up
            with self.lock:
                self.undelivered += 1

    def _check_auth(self, method: str, token: str, auth: str, caller: Workspace | None) -> str | None:
        """Slack's error for a call whose credentials it would not accept; None to go ahead."""
        if method == "api.test":
            return None
        if method == "oauth.v2.access":
            return None  # the app's own credentials, checked there
        if method == "apps.connections.open":
            return None if auth == f"Bearer {self.app_token}" else "invalid_auth"
        if not token:
            return "not_authed"
        if caller is None:
            revoked = any(token in w.revoked for w in self.workspaces.values())
            return "token_revoked" if revoked else "invalid_auth"
        return None

    def _authorize_page(self, request: BaseHTTPRequestHandler) -> None:
        """Slack's consent page, approved at once by the first admin (or first person) of the
        workspace named by `team`, else of the first workspace not yet installed."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}
        with self.lock:
            team = query.get("team") or next(
                (t for t, w in self.workspaces.items() if not w.installed), self.team_id
            )
            people = [p for p in self.people.values() if p.team == team]
            installer = next(
                (p.id for p in people if p.is_admin or p.is_owner), people[0].id if people else ""
            )
        try:
            location = self.consent(request.path, team, installer)
        except (AssertionError, ValueError) as error:
            return _send(request, 400, str(error).encode(), "text/plain")
        return _send(request, 302, b"", "text/plain", {"Location": location})

    def _refuse(self, method: str, refused: Refused) -> None:
        with self.lock:
            self.refusals.append(Refusal(method, refused.error, refused.detail))

    def _judge_message(
        self, method: str, params: dict[str, Any], blocks: list[dict[str, Any]], team: str | None
    ) -> None:
        """Raise Refused for a message Slack would not take; note its warnings. A mention of
        someone from another workspace is a warning: Slack would show an unknown user there."""
        for warning in check_message(params.get("text"), blocks, require_text=self.strict):
            self.warnings.append(f"{method}: {warning}")
        if team is None:
            return
        said = str(params.get("text") or "") + json.dumps(blocks)
        for user_id in sorted(set(MENTION.findall(said))):
            person = self.people.get(user_id)
            if person is not None and person.team != team:
                self.warnings.append(
                    f"{method}: mentions <@{user_id}> of {person.team} in {team}: Slack would show an unknown user"
                )

    def _judged_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = dict(_json(params.get("view")))
        check_view(view)
        return view

    def _next_ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ts):06d}"

    def _respond(self, token: str, params: dict[str, Any]) -> None:
        with self.lock:
            previous = self.responses(token)
            if params.get("delete_original"):
                for m in previous:
                    m.deleted = True
                return
            blocks = _blocks(params.get("blocks"))
            user, channel = token.split(".")[1:3] if token.count(".") >= 2 else ("", "")
            team = self.team_of(user) if user in self.people else None
            self._judge_message("response_url", params, blocks, team)
            text = str(params.get("text", ""))
            target = previous[-1] if previous else self.response_targets.get(token)
            if _truthy(params.get("replace_original")) and target is not None:
                target.text, target.blocks, target.edits = text, blocks, target.edits + 1
                if target.response_token != token:
                    target.response_token = token
                    if self.message(target.channel, target.ts) is target:
                        self._by_token.setdefault(token, []).append(target)
                return
            in_channel = params.get("response_type") == "in_channel"
            self.messages.append(
                Message(
                    channel,
                    self._next_ts(),
                    text,
                    blocks,
                    None if in_channel else user,
                    token,
                    team=team or self.team_of(channel),
                )
            )

    # ------------------------------------------------------------ what a token may reach

    def _person(self, method: str, team: Workspace, user_id: str) -> Person | None:
        """The person `user_id` as `team`'s token sees them: nobody from another workspace."""
        person = self.people.get(user_id)
        if person is not None and person.team != team.team_id:
            self._cross(method, "user_not_found", f"{user_id} is in {person.team}")
            return None
        return person

    def _channel(self, method: str, team: Workspace, channel_id: str) -> str | None:
        """The conversation `channel_id` (a user id means the DM with them) as `team`'s token
        sees it; None when Slack would say channel_not_found."""
        if channel_id.startswith(("U", "W")) and channel_id in self.people:
            channel_id = "D" + channel_id  # posting to a user id writes in the app's DM with them
        known = channel_id in self.channels or channel_id.startswith("D")
        if not known or self._foreign(method, team, channel_id):
            return None
        return channel_id

    def _foreign(self, method: str, team: Workspace, channel_id: str) -> bool:
        """Whether `channel_id` (or the DM `D` + user id) is another workspace's; a refusal then."""
        owner: str | None = None
        if channel_id in self.channels:
            owner = self.channels[channel_id].team
        elif channel_id.startswith("D") and channel_id.removeprefix("D") in self.people:
            owner = self.people[channel_id.removeprefix("D")].team
        if owner is None or owner == team.team_id:
            return False
        self._cross(method, "channel_not_found", f"{channel_id} is in {owner}")
        return True

    def _cross(self, method: str, error: str, where: str) -> None:
        """A workspace's token used for another workspace's channel or person: Slack refuses,
        and a test that did it fails (`slack` fixture), as it sent with the wrong token."""
        self.refusals.append(Refusal(method, error, f"{where}, not the workspace whose token was used"))

    # ------------------------------------------------------------ Web API methods

    def _api_api_test(self, params: dict[str, Any], _auth: str) -> dict[str, Any]:
        return {"ok": True, "args": params}

    def _api_apps_connections_open(self, params: dict[str, Any], _auth: str) -> dict[str, Any]:
        if self.socket_mode is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode.url}

    def _api_oauth_v2_access(self, params: dict[str, Any], auth: str) -> dict[str, Any]:
        """Trades an install's code for the workspace's bot token, as Slack does: the app's
        credentials (HTTP Basic, or in the form), a single-use unexpired code, the same
        redirect_uri as the consent page was given."""
        if self.oauth is None:
            return {"ok": False, "error": "invalid_client_id"}
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        if auth.startswith("Basic "):
            try:
                decoded = base64.b64decode(auth.removeprefix("Basic "), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return {"ok": False, "error": "invalid_client_id"}
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.oauth.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.oauth.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant = self._grants.pop(str(params.get("code") or ""), None)
        if grant is None or grant.expires_at < time.monotonic():
            return {"ok": False, "error": "invalid_code"}
        if grant.redirect_uri is not None and params.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        workspace = self.workspace(grant.team_id)
        if not workspace.tokens:  # installed again after an uninstall: a new token
            workspace.tokens.add(f"xoxb-{workspace.team_id}-{next(self._ids)}")
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": grant.installer_id},
            "scope": grant.scopes,
            "token_type": "bot",
            "access_token": min(workspace.tokens),
            "bot_user_id": workspace.bot_user_id,
            "team": {"id": workspace.team_id, "name": workspace.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _api_auth_test(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{team.domain}.slack.com/",
            "team": team.name,
            "user": "turnout",
            "team_id": team.team_id,
            "user_id": team.bot_user_id,
            "bot_id": team.bot_id,
            "is_enterprise_install": False,
        }

    def _api_team_info(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        if params.get("team") not in (None, "", team.team_id):
            return {"ok": False, "error": "team_not_found"}
        return {
            "ok": True,
            "team": {"id": team.team_id, "name": team.name, "domain": team.domain, "icon": {}},
        }

    def _api_users_info(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        person = self._person("users.info", team, str(params.get("user")))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        user = _user_json(person)
        if _truthy(params.get("include_locale")):  # Slack says a person's locale only when asked
            user["locale"] = person.locale
        return {"ok": True, "user": user}

    def _api_users_list(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        members = [_user_json(p) for p in self.people.values() if p.team == team.team_id]
        return self._page("members", members, params)

    def _api_conversations_list(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channels = [
            {"id": c.id, "name": c.name, "is_private": c.is_private}
            for c in self.channels.values()
            if c.team == team.team_id
        ]
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

    def _api_conversations_info(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channel_id = str(params.get("channel"))
        channel = self.channels.get(channel_id)
        if channel is None or self._channel("conversations.info", team, channel_id) is None:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {"id": channel.id, "name": channel.name, "is_private": channel.is_private},
        }

    def _api_conversations_open(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        user_id = str(params.get("users", "")).split(",")[0]
        if user_id in self.people and self._person("conversations.open", team, user_id) is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + user_id}}

    def _api_chat_postMessage(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channel = self._channel("chat.postMessage", team, str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.postMessage", params, blocks, team.team_id)
        metadata = _metadata(params.get("metadata"))
        message = Message(
            channel,
            self._next_ts(),
            str(params.get("text", "")),
            blocks,
            metadata=metadata,
            team=team.team_id,
        )
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": {"text": message.text}}

    def _api_conversations_history(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        """A conversation's messages (files shared in it too), newest first, paged by
        `limit`/`cursor`, from `oldest` on; message metadata only with `include_all_metadata`,
        as Slack does."""
        channel = self._channel("conversations.history", team, str(params.get("channel", "")))
        if channel is None:
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
            item: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "bot_id": team.bot_id}
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
                    "bot_id": team.bot_id,
                }
                dated.append((float(upload["ts"]), item))
        dated.sort(key=lambda pair: pair[0], reverse=True)
        items = [item for _, item in dated]
        page = self._page("messages", items, params)
        if page.get("ok"):
            page["has_more"] = bool(page["response_metadata"]["next_cursor"])
        return page

    def _api_chat_postEphemeral(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channel = self._channel("chat.postEphemeral", team, str(params.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        user_id = str(params.get("user", ""))
        if user_id in self.people and self._person("chat.postEphemeral", team, user_id) is None:
            return {"ok": False, "error": "user_not_in_channel"}
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.postEphemeral", params, blocks, team.team_id)
        message = Message(
            channel,
            self._next_ts(),
            str(params.get("text", "")),
            blocks,
            str(params["user"]),
            team=team.team_id,
        )
        self.messages.append(message)
        return {"ok": True, "message_ts": message.ts}

    def _api_chat_update(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channel = str(params.get("channel"))
        if self._foreign("chat.update", team, channel):
            return {"ok": False, "error": "channel_not_found"}
        message = self.message(channel, str(params.get("ts")))
        if message is None or message.deleted:
            return {"ok": False, "error": "message_not_found"}
        blocks = _blocks(params.get("blocks"))
        self._judge_message("chat.update", params, blocks, team.team_id)
        message.text, message.blocks = str(params.get("text", "")), blocks
        message.edits += 1
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _api_chat_delete(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        channel = str(params.get("channel"))
        if self._foreign("chat.delete", team, channel):
            return {"ok": False, "error": "channel_not_found"}
        message = self.message(channel, str(params.get("ts")))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message.deleted = True
        return {"ok": True}

    def _api_views_open(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        trigger = str(params.get("trigger_id", ""))
        if not trigger:
            return {"ok": False, "error": "invalid_trigger_id"}
        view = self._judged_view(params)
        view["id"] = f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        self.view_by_trigger[trigger] = view["id"]
        return {"ok": True, "view": view}

    def _api_views_update(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        view_id = str(params.get("view_id", ""))
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        view = self._judged_view(params)
        view["id"] = view_id
        self.views[view_id] = view
        return {"ok": True, "view": view}

    def _api_files_getUploadURLExternal(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        if not params.get("filename") or not params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):08d}"
        self.pending_files[file_id] = {"id": file_id, "filename": params["filename"], "content": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _api_files_completeUploadExternal(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        files = params.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        channel_id = params.get("channel_id")
        if channel_id and self._channel("files.completeUploadExternal", team, str(channel_id)) is None:
            return {"ok": False, "error": "channel_not_found"}
        done = []
        for item in files:
            pending = self.pending_files.pop(item["id"], None)
            if pending is None or pending["content"] is None:
                return {"ok": False, "error": "file_not_found"}
            upload = {
                **pending,
                "title": item.get("title"),
                "channel": channel_id,
                "initial_comment": params.get("initial_comment"),
                # Sharing it posts a message in the channel, which history returns.
                "ts": self._next_ts(),
            }
            self.uploads.append(upload)
            done.append({"id": item["id"], "title": item.get("title")})
        return {"ok": True, "files": done}

    def _api_views_push(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        view = self._judged_view(params)
        view["id"] = f"V{next(self._ids):08d}"
        self.views[view["id"]] = view
        self.view_by_trigger[str(params["trigger_id"])] = view["id"]
        return {"ok": True, "view": view}

    def _api_views_publish(self, params: dict[str, Any], team: Workspace) -> dict[str, Any]:
        user_id = str(params.get("user_id"))
        if user_id in self.people and self._person("views.publish", team, user_id) is None:
            return {"ok": False, "error": "user_not_found"}
        view = self._judged_view(params)
        self.home_views[user_id] = view
        return {"ok": True, "view": view}


# ---------------------------------------------------------------- reading messages


def _user_json(person: Person) -> dict[str, Any]:
    profile: dict[str, Any] = {"display_name": person.name, "real_name": person.real_name or person.name}
    if person.email:
        profile["email"] = person.email
    return {
        "id": person.id,
        "team_id": person.team,
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
