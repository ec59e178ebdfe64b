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

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

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
        if require_slack:
            if not bot_token:
                errors.append("SLACK_BOT_TOKEN is missing (the bot token, xoxb-…)")
            elif not bot_token.startswith("xoxb-"):
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
        bad = sorted(a for a in admins if not USER_ID.match(a))
        if bad:
            errors.append(
                "TURNOUT_ADMINS must be comma-separated Slack user ids like U0123ABCD, got "
                + ", ".join(repr(b) for b in bad)
            )

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
        )


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
