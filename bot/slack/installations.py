"""A coalition's installations: Bolt's OAuth flow, with slack_sdk's stores in Turnout's database.

Each organization installs the one distributed app into its own workspace from
`/slack/install`; Slack sends the browser back to `/slack/oauth_redirect`, where Bolt trades the
code for that workspace's bot token (`oauth.v2.access`) and saves it with slack_sdk's
`SQLAlchemyInstallationStore` (tables `slack_installations`, `slack_bots`; `bot.models`). Every
request is then authorized by reading its workspace's bot from that store.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import sqlalchemy as sa
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import OAUTH_REDIRECT_PATH, Settings
from bot.db import READ_ONLY

logger = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = OAUTH_REDIRECT_PATH
# An install link is good for ten minutes (Bolt's cookie lives as long).
STATE_EXPIRATION_SECONDS = 600
# What Turnout asks each workspace for: the same list as manifest.yml's bot scopes (a test holds
# them equal). `team:read` names the organization after its workspace.
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "users:read.email",
    "channels:read",
    "groups:read",
    "channels:history",
    "groups:history",
    "im:history",
    "files:write",
    "team:read",
)
# Bolt's answer to a correctly signed request from a workspace with no installation (never
# installed, uninstalled, or the database could not say just then). No listener runs.
NOT_INSTALLED = (
    "Turnout isn't installed in this workspace, or couldn't check just now. If it is installed, "
    "try again in a minute; otherwise a workspace admin can install it from Turnout's install page."
)


class NotInCoalition(BoltError):
    """A workspace that TURNOUT_WORKSPACES does not list tried to install Turnout."""


class TurnoutInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's installation store on Turnout's engine.

    The lookups made while a request waits for its ack only read: on SQLite they begin deferred
    instead of taking the write lock, which Turnout's engine takes up front for every other
    transaction. Saves and deletes (installs, uninstalls) take it as usual."""

    def __init__(
        self, client_id: str, engine: Engine, member: Callable[[str | None], bool] = lambda _team: True
    ) -> None:
        """`member` says whether a workspace belongs to the coalition (TURNOUT_WORKSPACES): only
        those are saved, found and served."""
        super().__init__(client_id=client_id, engine=engine)
        self.member = member
        self.reads = SQLAlchemyInstallationStore(
            client_id=client_id, engine=engine.execution_options(**{READ_ONLY: True})
        )

    def save(self, installation: Installation) -> None:
        if not self.member(installation.team_id):
            raise NotInCoalition(f"{installation.team_id} is not one of TURNOUT_WORKSPACES")
        try:
            super().save(installation)
        except SQLAlchemyError as error:  # Bolt answers a BoltError with its storage_error page
            raise BoltError(f"could not save the installation for {installation.team_id}") from error

    def find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        if not self.member(team_id):
            return None
        return self.reads.find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if not self.member(team_id):
            return None
        return self.reads.find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    def bot_for_team(self, team_id: str) -> Bot | None:
        """The latest bot installed in workspace `team_id`, whatever its Enterprise Grid org:
        team ids are unique across Slack, and the scheduler knows only the team."""
        if not self.member(team_id):
            return None
        c = self.bots.c
        query = (
            self.bots.select()
            .where(c.client_id == self.client_id, c.team_id == team_id, c.bot_token.is_not(None))
            .order_by(c.installed_at.desc())
            .limit(1)
        )
        with self.reads.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else self.build_bot_entity(row)

    def installed_teams(self) -> list[str]:
        """Every workspace with a bot installed now (uninstalling deletes its rows), in id order."""
        c = self.bots.c
        query = (
            sa.select(c.team_id)
            .where(c.client_id == self.client_id, c.team_id.is_not(None), c.bot_token.is_not(None))
            .distinct()
            .order_by(c.team_id)
        )
        with self.reads.engine.connect() as connection:
            return [str(team) for team in connection.execute(query).scalars() if self.member(str(team))]


class TurnoutOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's one-time OAuth states. Each visit to the install page issues one; expired ones
    are deleted as new ones are issued, so abandoned visits don't pile up."""

    def issue(self, *args: Any, **kwargs: Any) -> str:
        now = normalize_datetime_for_db(datetime.now(UTC))
        with self.engine.begin() as connection:
            connection.execute(self.oauth_states.delete().where(self.oauth_states.c.expire_at <= now))
        return str(super().issue(*args, **kwargs))


def authorize_url(api_url: str) -> str:
    """Slack's consent page beside its Web API: https://slack.com/api/ → https://slack.com/oauth/v2/authorize
    (the same for GovSlack and for the local stand-in)."""
    return urljoin(api_url, "../oauth/v2/authorize")


def oauth_settings(
    settings: Settings,
    store: TurnoutInstallationStore,
    engine: Engine,
    *,
    on_installed: Callable[[Installation], None] = lambda _installation: None,
) -> OAuthSettings:
    """Bolt's OAuth flow, every value given here (Bolt would otherwise read the environment)."""
    return OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri or None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        state_store=TurnoutOAuthStateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=engine),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        callback_options=CallbackOptions(success=_installed(on_installed), failure=_not_installed),
        logger=logger,
    )


def authorize(settings: Settings, store: TurnoutInstallationStore) -> InstallationStoreAuthorize:
    """Each request's token, from its workspace's bot in the store (a read). Slack's `auth.test`
    runs once per token per process, not before every ack."""
    return InstallationStoreAuthorize(
        logger=logger,
        installation_store=store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        bot_only=True,
        cache_enabled=True,
    )


def _installed(on_installed: Callable[[Installation], None]) -> Callable[[SuccessArgs], BoltResponse]:
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        try:
            on_installed(installation)
        except Exception as error:
            logger.exception("installed in %s, but could not finish setting it up", installation.team_id)
            return _not_installed(
                FailureArgs(
                    request=args.request,
                    reason="setup_failed",
                    error=error,
                    suggested_status_code=500,
                    settings=args.settings,
                    default=args.default,
                )
            )
        logger.info("installed in workspace %s (%s)", installation.team_id, installation.team_name)
        response: BoltResponse = args.default.success(args)
        return response

    return success


SLACK_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")
# Why an install did not finish, in the words of the person who tried it.
FAILURES = {
    "access_denied": "Turnout was not installed: the install was cancelled on Slack's page. Nothing changed.",
    "invalid_browser": (
        "This install was started in another browser, or too long ago. Start again from the "
        "install page, in this browser."
    ),
    "invalid_state": "This install link has expired or was already used. Start again from the install page.",
    "missing_code": "Slack did not confirm the install. Start again from the install page.",
    "invalid_code": (
        "Slack did not confirm the install (its code was already used or has expired). "
        "Start again from the install page."
    ),
    "storage_error": (
        "Turnout could not save the installation. Try again in a minute; if it keeps failing, "
        "tell whoever runs Turnout."
    ),
    "setup_failed": (
        "Turnout was installed but could not finish setting up. Try again in a minute; if it "
        "keeps failing, tell whoever runs Turnout."
    ),
}


def _not_installed(args: FailureArgs) -> BoltResponse:
    """A plain page saying why, with a link back to the install page; the reason is escaped."""
    words = FAILURES.get(args.reason)
    if isinstance(args.error, NotInCoalition):
        words = (
            "Turnout was not installed: this workspace is not one of the coalition's. Nothing "
            "changed. Ask whoever runs Turnout to add it to TURNOUT_WORKSPACES, then install again."
        )
    elif words is None:
        # Slack's error codes are short snake_case words; anything else in the query is not shown.
        said = f" (Slack said {args.reason})" if SLACK_ERROR_CODE.match(args.reason) else ""
        words = f"Turnout was not installed{said}. Start again from the install page."
    if args.error is not None and args.reason != "setup_failed":
        logger.warning("install failed (%s): %s", args.reason, args.error)
    page = (
        "<!doctype html>\n<html><head><meta charset='utf-8'><title>Turnout</title></head>"
        "<body style='font-family: sans-serif; text-align: center; padding: 2em'>"
        f"<h2>Turnout</h2><p>{html.escape(words)}</p>"
        f"<p><a href='{html.escape(args.settings.install_path)}'>Install page</a></p></body></html>\n"
    )
    return BoltResponse(
        status=403 if isinstance(args.error, NotInCoalition) else args.suggested_status_code,
        body=page,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
    )
