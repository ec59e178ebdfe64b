"""Settings: read the environment once, fail fast naming whatever is missing or malformed."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite:///turnout.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
TEAM_ID = re.compile(r"^T[A-Z0-9]{2,}$")
TEAM_USER = re.compile(r"^(T[A-Z0-9]{2,}):([UW][A-Z0-9]{2,})$")
CLIENT_ID = re.compile(r"^[0-9]+\.[0-9]+$")
# Where Bolt answers Slack's redirect after someone approves the install (`bot.cli.app`).
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it and says what is expected."""


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = 3000
    admins: frozenset[str] = field(default_factory=frozenset)
    web_workers: int = 2
    web_threads: int = 8
    log_level: str = "INFO"
    max_log_count: int = 2000
    posts_per_second: int = 20
    # A coalition: one distributed app installed in many workspaces through OAuth. Unset, Turnout
    # serves the one workspace of SLACK_BOT_TOKEN.
    slack_client_id: str = ""
    slack_client_secret: str = field(default="", repr=False)
    slack_redirect_uri: str = ""
    # (team id, user id): who may set the coalition's goal.
    campaign_admins: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    # A coalition's member workspaces (TURNOUT_WORKSPACES): only these may install Turnout and be
    # served; None lets any workspace that installs it in (`*`).
    member_workspaces: frozenset[str] | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def distributed(self) -> bool:
        """Installed in many workspaces through OAuth, each with its own bot token."""
        return bool(self.slack_client_id)

    def is_listed_admin(self, team_id: str, user_id: str) -> bool:
        """Whether TURNOUT_ADMINS names this person: `TEAM:USER` anywhere, a bare user id only
        with one workspace (in a coalition a user id alone does not say which workspace)."""
        return f"{team_id}:{user_id}" in self.admins or (not self.distributed and user_id in self.admins)

    def is_member_workspace(self, team_id: str | None) -> bool:
        """Whether a workspace may install Turnout and be served (TURNOUT_WORKSPACES)."""
        return self.member_workspaces is None or team_id in self.member_workspaces

    def is_listed_campaign_admin(self, team_id: str, user_id: str) -> bool:
        """Whether TURNOUT_CAMPAIGN_ADMINS names this person."""
        return (team_id, user_id) in self.campaign_admins

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        require_slack: bool = True,
        require_signing_secret: bool | None = None,
    ) -> Settings:
        """Build settings from `env` (default: the process environment, after `.env` is loaded).

        `require_slack` demands the bot token; `require_signing_secret` the signing secret,
        which only the HTTP endpoint uses (None: needed unless SLACK_APP_TOKEN picks Socket Mode).
        """
        env = os.environ if env is None else env
        errors: list[str] = []

        def get(name: str) -> str:
            return env.get(name, "").strip()

        bot_token, signing_secret, app_token = (
            get("SLACK_BOT_TOKEN"),
            get("SLACK_SIGNING_SECRET"),
            get("SLACK_APP_TOKEN"),
        )
        client_id, client_secret, redirect_uri = (
            get("SLACK_CLIENT_ID"),
            get("SLACK_CLIENT_SECRET"),
            get("SLACK_REDIRECT_URI"),
        )
        distributed = bool(client_id)
        _oauth(client_id, client_secret, redirect_uri, app_token, errors)
        if require_slack:
            if not bot_token and not distributed:
                errors.append(
                    "SLACK_BOT_TOKEN is missing (the bot token, xoxb-…; or, for a coalition of "
                    "workspaces, SLACK_CLIENT_ID and SLACK_CLIENT_SECRET)"
                )
            elif bot_token and not bot_token.startswith("xoxb-"):
                errors.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
            if app_token and not app_token.startswith("xapp-"):
                errors.append("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
            needs_secret = not app_token if require_signing_secret is None else require_signing_secret
            if needs_secret and not signing_secret:
                errors.append(
                    "SLACK_SIGNING_SECRET is missing (needed in HTTP mode, when SLACK_APP_TOKEN is unset)"
                )

        database_url = _database_url(get("DATABASE_URL") or DEFAULT_DATABASE_URL, errors)
        api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        parts = urlsplit(api_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
        api_url = api_url if api_url.endswith("/") else api_url + "/"

        port = _int(get("PORT") or "3000", "PORT", 1, 65535, errors)
        workers = _int(get("TURNOUT_WEB_WORKERS") or "2", "TURNOUT_WEB_WORKERS", 1, 64, errors)
        threads = _int(get("TURNOUT_WEB_THREADS") or "8", "TURNOUT_WEB_THREADS", 1, 256, errors)
        pace = _int(get("TURNOUT_POSTS_PER_SECOND") or "20", "TURNOUT_POSTS_PER_SECOND", 1, 1000, errors)
        max_log = _int(get("TURNOUT_MAX_LOG_COUNT") or "2000", "TURNOUT_MAX_LOG_COUNT", 1, 100_000, errors)

        admins = frozenset(a.strip() for a in get("TURNOUT_ADMINS").split(",") if a.strip())
        bad = sorted(a for a in admins if not (USER_ID.match(a) or TEAM_USER.match(a)))
        if bad:
            errors.append(
                "TURNOUT_ADMINS must be comma-separated Slack user ids like U0123ABCD "
                "(or TEAMID:USERID like T0123ABCD:U0123ABCD), got " + ", ".join(repr(b) for b in bad)
            )
        bare = sorted(a for a in admins if USER_ID.match(a))
        if distributed and bare:
            errors.append(
                "TURNOUT_ADMINS entries must be TEAMID:USERID (like T0123ABCD:U0123ABCD) when "
                "SLACK_CLIENT_ID is set: in a coalition a user id alone does not say which "
                "workspace it belongs to; got " + ", ".join(repr(b) for b in bare)
            )
        campaign_admins = _campaign_admins(get("TURNOUT_CAMPAIGN_ADMINS"), errors)
        member_workspaces = _member_workspaces(get("TURNOUT_WORKSPACES"), distributed, errors)

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            errors.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}")

        if errors:
            raise ConfigError("Turnout cannot start:\n  - " + "\n  - ".join(errors))
        return cls(
            slack_bot_token=bot_token,
            slack_signing_secret=signing_secret,
            slack_app_token=app_token,
            database_url=database_url,
            slack_api_url=api_url,
            port=port,
            admins=admins,
            web_workers=workers,
            web_threads=threads,
            log_level=log_level,
            max_log_count=max_log,
            posts_per_second=pace,
            slack_client_id=client_id,
            slack_client_secret=client_secret,
            slack_redirect_uri=redirect_uri,
            campaign_admins=campaign_admins,
            member_workspaces=member_workspaces,
        )


def _oauth(client_id: str, client_secret: str, redirect_uri: str, app_token: str, errors: list[str]) -> None:
    """A coalition's OAuth settings: the client id and secret together, a usable redirect URL."""
    if bool(client_id) != bool(client_secret):
        missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
        errors.append(
            f"{missing} is missing: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (both set: "
            "a coalition installs Turnout in each workspace; neither: one workspace with SLACK_BOT_TOKEN)"
        )
    if client_id and not CLIENT_ID.match(client_id):
        errors.append(
            "SLACK_CLIENT_ID must be the app's client id like 1234567890.1234567890 "
            f"(Basic Information → App Credentials), got {client_id!r}"
        )
    if client_id and app_token:
        errors.append(
            "SLACK_APP_TOKEN cannot be used with SLACK_CLIENT_ID: a distributed app is served over "
            "HTTP (Slack's OAuth redirect and its events reach /slack/...); unset SLACK_APP_TOKEN"
        )
    if redirect_uri and not client_id:
        errors.append(
            "SLACK_REDIRECT_URI is set but SLACK_CLIENT_ID is not: the redirect is part of "
            "installing Turnout in a coalition's workspaces"
        )
    elif redirect_uri:
        parts = urlsplit(redirect_uri)
        secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)
        if not secure or not parts.netloc or parts.path != OAUTH_REDIRECT_PATH or parts.query:
            errors.append(
                f"SLACK_REDIRECT_URI must be the https URL of Turnout's {OAUTH_REDIRECT_PATH}, like "
                f"https://turnout.example.org{OAUTH_REDIRECT_PATH}, got {redirect_uri!r}"
            )


def _member_workspaces(raw: str, distributed: bool, errors: list[str]) -> frozenset[str] | None:
    """TURNOUT_WORKSPACES: the coalition's workspace ids, or `*` for any workspace. Required in a
    coalition: a distributed app can be installed by anyone who has its install link, and each
    workspace installed sees the coalition's shared shifts and numbers."""
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    if entries == ["*"]:
        return None
    bad = [e for e in entries if not TEAM_ID.match(e)]
    if bad:
        errors.append(
            "TURNOUT_WORKSPACES must be comma-separated workspace ids like T0123ABCD (or * for any "
            "workspace), got " + ", ".join(repr(b) for b in bad)
        )
    if distributed and not entries:
        errors.append(
            "TURNOUT_WORKSPACES is missing: with SLACK_CLIENT_ID set, list the coalition's workspace "
            "ids (T0123ABCD,T0456EFGH), or * to let any workspace that installs Turnout in"
        )
    return frozenset(entries) if distributed else None


def _campaign_admins(raw: str, errors: list[str]) -> frozenset[tuple[str, str]]:
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    bad = [e for e in entries if not TEAM_USER.match(e)]
    if bad:
        errors.append(
            "TURNOUT_CAMPAIGN_ADMINS must be comma-separated TEAMID:USERID pairs like "
            "T0123ABCD:U0123ABCD (the workspace's id, then the person's), got "
            + ", ".join(repr(b) for b in bad)
        )
    pairs = (TEAM_USER.match(e) for e in entries)
    return frozenset((m.group(1), m.group(2)) for m in pairs if m)


def _int(raw: str, name: str, low: int, high: int, errors: list[str]) -> int:
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name} must be a whole number, got {raw!r}")
        return low
    if not low <= value <= high:
        errors.append(f"{name} must be between {low} and {high}, got {value}")
    return value


def _database_url(raw: str, errors: list[str]) -> str:
    """Normalise the URL to a driver Turnout ships with (psycopg 3 for PostgreSQL)."""
    scheme, sep, rest = raw.partition("://")
    if not sep:
        errors.append(f"DATABASE_URL must look like sqlite:///turnout.db or postgresql://…, got {raw!r}")
        return raw
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg://" + rest
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return raw
    errors.append(f"DATABASE_URL must use sqlite or postgresql, got {scheme!r}")
    return raw
