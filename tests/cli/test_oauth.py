"""An organization installs Turnout through OAuth, from the install page, into its own workspace,
and every request then acts with that workspace's token. Until Turnout's rows record their
workspace, a deployment serves one workspace at a time: a second organization's install is refused."""

from __future__ import annotations

import html
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa
import yaml
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.exc import OperationalError

import handlers.common as common
from bot.cli.app import build_app, build_wsgi
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.localslack.reading import message_text
from bot.localslack.signing import signed_headers
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.slack.installations import (
    BOT_SCOPES,
    NOT_INSTALLED,
    REDIRECT_PATH,
    TurnoutInstallationStore,
    TurnoutOAuthStateStore,
)
from tests.cli.test_http import FORM, answers_healthz, free_port, wait_until
from tests.conftest import CLIENT_ID, MTR, SIGNING_SECRET, SUNRISE, Bot, Coalition


def bots(coalition: Coalition) -> list[tuple[str, str]]:
    with coalition.bot.deps.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT team_id, bot_token FROM slack_bots ORDER BY id")).all()
    return [(str(team), str(token)) for team, token in rows]


def test_an_organization_installs_from_the_install_page(coalition: Coalition) -> None:
    slack, deps = coalition.bot.slack, coalition.bot.deps
    assert bots(coalition) == [(SUNRISE, slack.token_for(SUNRISE)), (MTR, slack.token_for(MTR))]
    assert sorted(deps.workspaces.active()) == sorted([SUNRISE, MTR])
    (installed,) = slack.calls_to("oauth.v2.access")[:1]
    assert installed.token == ""  # the app's own credentials, not a bot token
    sunrise = deps.workspaces.client(SUNRISE)
    assert sunrise is not None and sunrise.token == slack.token_for(SUNRISE)
    assert deps.workspaces.client(TEAM_ID) is None  # never installed there


def test_the_install_page_asks_for_turnouts_scopes_with_a_one_time_state(coalition: Coalition) -> None:
    page, link = coalition.bot.driver.install_page()
    assert page.headers["set-cookie"].startswith("slack-app-oauth-state=")
    assert "HttpOnly" in page.headers["set-cookie"] and "Secure" in page.headers["set-cookie"]
    url = urlsplit(link)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.path == "/oauth/v2/authorize" and link.startswith(coalition.bot.slack.base_url)
    assert query["client_id"] == CLIENT_ID
    assert query["scope"].split(",") == list(BOT_SCOPES)
    assert page.cookie == f"slack-app-oauth-state={query['state']}"


def test_each_organization_installs_into_its_own_workspace(coalition: Coalition) -> None:
    bot = coalition.bot
    assert sorted(team for team, _token in bots(coalition)) == sorted([SUNRISE, MTR])
    assert sorted(bot.deps.workspaces.active()) == sorted([SUNRISE, MTR])
    for user, channel in (("USUNANA", "CSUNIA"), ("UMTREVA", "CMTRIA")):
        asked = bot.command("/turnout", "help", user=user, channel=channel)
        assert asked.status == 200 and "/shifts" in asked.text
    with bot.deps.engine.connect() as connection:
        people = connection.execute(sa.text("SELECT team_id, id FROM volunteer ORDER BY team_id")).all()
    assert [tuple(row) for row in people] == [(MTR, "UMTREVA"), (SUNRISE, "USUNANA")]


def test_a_workspace_outside_the_coalition_cannot_install_or_be_served(coalition: Coalition) -> None:
    """Anyone with the install link could otherwise join and see the coalition's shared shifts,
    rosters and numbers."""
    bot, slack = coalition.bot, coalition.bot.slack
    slack.add_workspace("T0STRANGER", "Stranger", "stranger")
    slack.add_person("USTRANGER", "mallory", team="T0STRANGER", is_admin=True)
    slack.add_channel("CSTRANGER", "general", team="T0STRANGER")
    refused = bot.driver.install("T0STRANGER", "USTRANGER")
    assert refused.status == 403 and "is not one of the coalition" in refused.body
    assert sorted(team for team, _token in bots(coalition)) == sorted([SUNRISE, MTR])
    # Even an installation that reached the database some other way is not served.
    assert bot.deps.installations is not None
    SQLAlchemyInstallationStore.save(
        bot.deps.installations,
        Installation(
            app_id="A0TURNOUT",
            team_id="T0STRANGER",
            user_id="USTRANGER",
            bot_token="xoxb-stranger",
            bot_id="B0STRANGER",
            bot_user_id="U0STRANGERBOT",
            installed_at=time.time(),
        ),
    )
    asked = bot.command("/turnout", "help", user="USTRANGER", channel="CSTRANGER")
    assert asked.text == NOT_INSTALLED
    assert "T0STRANGER" not in bot.deps.workspaces.active()
    assert bot.deps.workspaces.client("T0STRANGER") is None
    slack.refusals.clear()  # the stand-in has no installation of its own for the stranger


def test_a_request_acts_with_its_own_workspaces_token(coalition: Coalition) -> None:
    bot, slack = coalition.bot, coalition.bot.slack
    for user, channel, team in (("USUNANA", "CSUNIA", SUNRISE), ("UMTREVA", "CMTRIA", MTR)):
        asked = bot.command("/turnout", "help", user=user, channel=channel)
        assert asked.status == 200 and "/shifts" in asked.text
        looked_up = [c for c in slack.calls_to("users.info") if c.params.get("user") == user]
        assert looked_up and {c.token for c in looked_up} == {slack.token_for(team)}


def test_authorizing_asks_slack_once_per_token_not_before_every_ack(coalition: Coalition) -> None:
    bot, slack = coalition.bot, coalition.bot.slack
    bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    checks = len(slack.calls_to("auth.test", team=SUNRISE))
    for _ in range(3):
        assert bot.command("/turnout", "help", user="USUNBEN", channel="CSUNIA").status == 200
    assert len(slack.calls_to("auth.test", team=SUNRISE)) == checks


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_authorizing_a_request_never_waits_for_the_databases_write_lock(
    coalition: Coalition, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The installation is read on a deferred transaction, so a writer holding SQLite's lock
    (a burst of claims) does not hold up the ack. (The ack waits a moment for the command's
    reply, which the lock does hold up: that wait is made short here.)"""
    monkeypatch.setattr(common, "REPLY_WAIT_SECONDS", 0.1)
    bot = coalition.bot
    bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")  # profiles stored, token checked
    url = bot.deps.engine.url.database
    assert url is not None
    writer = sqlite3.connect(url, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.5, writer.rollback)
    release.start()
    try:
        asked = bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    finally:
        release.join()
        writer.close()
    assert asked.status == 200 and asked.acked_in < 1.0


def test_a_workspace_without_an_installation_is_told_so_and_nothing_runs(coalition: Coalition) -> None:
    """A correctly signed request from a workspace that never installed Turnout."""
    bot = coalition.bot
    asked = bot.command("/turnout", "help", user="UVOL1", channel="CRANDOM")  # the stand-in's first workspace
    assert asked.status == 200
    assert asked.text == NOT_INSTALLED
    with bot.deps.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM volunteer")).scalar_one() == 0


def test_a_cancelled_install_changes_nothing(coalition: Coalition) -> None:
    slack = coalition.bot.slack
    slack.add_workspace("T0CHISPA", "Chispa", "chispa")
    slack.add_person("UCHIANA", "ana", team="T0CHISPA", is_admin=True)
    page = coalition.bot.driver.install("T0CHISPA", allow=False)
    assert page.status == 200
    assert "cancelled" in page.body and "Install page" in page.body
    assert "T0CHISPA" not in coalition.bot.deps.workspaces.active()


def test_the_redirect_without_the_install_pages_cookie_is_refused(coalition: Coalition) -> None:
    """Someone sent a link to the redirect, or opened it in another browser."""
    bot = coalition.bot
    _page, link = bot.driver.install_page()
    back = urlsplit(bot.slack.consent(link, SUNRISE, "USUNSAM"))
    page = bot.driver.get(back.path, back.query)  # no cookie
    assert page.status == 400 and "another browser" in page.body
    assert len(bots(coalition)) == 2  # nothing new saved


def test_a_state_is_good_once(coalition: Coalition) -> None:
    bot = coalition.bot
    page, link = bot.driver.install_page()
    back = urlsplit(bot.slack.consent(link, SUNRISE, "USUNSAM"))
    assert bot.driver.get(back.path, back.query, cookie=page.cookie).status == 200
    replayed = bot.driver.get(back.path, back.query, cookie=page.cookie)
    assert replayed.status == 401 and "expired or was already used" in replayed.body
    # A state that was never issued is refused the same way.
    forged = bot.driver.get(back.path, "code=x&state=made-up", cookie="slack-app-oauth-state=made-up")
    assert forged.status == 401


def test_a_code_slack_does_not_know_is_refused(coalition: Coalition) -> None:
    bot = coalition.bot
    page, link = bot.driver.install_page()
    state = parse_qs(urlsplit(link).query)["state"][0]
    answered = bot.driver.get("/slack/oauth_redirect", f"code=not-a-code&state={state}", cookie=page.cookie)
    assert answered.status == 401 and "did not confirm" in answered.body
    assert len(bots(coalition)) == 2


def test_the_failure_page_shows_no_markup_from_the_query(coalition: Coalition) -> None:
    page = coalition.bot.driver.get("/slack/oauth_redirect", "error=%3Cscript%3Ealert(1)%3C/script%3E")
    assert page.status == 200 and "<script>" not in page.body and "alert" not in page.body
    said = coalition.bot.driver.get("/slack/oauth_redirect", "error=team_not_allowed")
    assert "Slack said team_not_allowed" in said.body


def test_installing_again_keeps_the_workspace_working(coalition: Coalition) -> None:
    bot = coalition.bot
    assert bot.driver.install(SUNRISE, "USUNANA").status == 200
    assert sorted(bot.deps.workspaces.active()) == sorted([SUNRISE, MTR])
    client = bot.deps.workspaces.client(SUNRISE)
    assert client is not None and client.token == bot.slack.token_for(SUNRISE)
    assert bot.command("/turnout", "help", user="USUNBEN", channel="CSUNIA").status == 200


def test_an_uninstalled_workspace_is_never_sent_to_again(coalition: Coalition) -> None:
    bot, slack, deps = coalition.bot, coalition.bot.slack, coalition.bot.deps
    bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    revoked = slack.token_for(SUNRISE)
    assert deps.workspaces.client(SUNRISE) is not None  # remembered by this process
    bot.driver.uninstall(SUNRISE)
    after = len(slack.calls)
    assert deps.workspaces.client(SUNRISE) is None
    assert deps.workspaces.active() == [MTR]
    assert [team for team, _token in bots(coalition)] == [MTR]
    assert "/shifts" in bot.command("/turnout", "help", user="UMTREVA", channel="CMTRIA").text
    asked = bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    assert asked.text == NOT_INSTALLED
    assert not [c for c in slack.calls[after:] if c.token == revoked]
    with deps.engine.connect() as connection:  # its history stays
        known = connection.execute(sa.text("SELECT id FROM volunteer WHERE id = 'USUNANA'")).all()
    assert known == [("USUNANA",)]
    # Installing again: a new token, and the workspace is served again.
    assert bot.driver.install(SUNRISE).status == 200
    client = deps.workspaces.client(SUNRISE)
    assert client is not None and client.token == slack.token_for(SUNRISE) != revoked
    assert "/shifts" in bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA").text


def test_only_get_reaches_the_install_pages(coalition: Coalition) -> None:
    status, _body = coalition.bot.driver._wsgi(b"", {})  # unsigned POST to /slack/events
    assert status == 401
    driver = coalition.bot.driver
    answered = driver._call("POST", "/slack/install", "", b"", {})
    assert answered[0] == 405 and answered[1]["allow"] == "GET"


def test_the_install_page_says_so_when_the_database_is_unreachable(
    coalition: Coalition, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(self: TurnoutOAuthStateStore) -> str:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(TurnoutOAuthStateStore, "issue", unreachable)
    page = coalition.bot.driver.get("/slack/install")
    assert page.status == 503 and "Try again in a minute" in page.body


def test_expired_states_are_cleared_as_new_ones_are_issued(coalition: Coalition) -> None:
    engine = coalition.bot.deps.engine
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO slack_oauth_states (state, expire_at) VALUES ('old', '2020-01-01 00:00:00')")
        )
    coalition.bot.driver.install_page()
    with engine.connect() as connection:
        states = connection.execute(sa.text("SELECT state FROM slack_oauth_states")).scalars().all()
    assert "old" not in states and len(states) == 1


def test_one_workspace_mode_has_no_install_pages(bot: Bot) -> None:
    assert bot.driver.get("/slack/install").status == 404
    assert bot.driver.get("/slack/oauth_redirect", "code=x&state=y").status == 404


def test_one_workspace_mode_acknowledges_being_uninstalled(bot: Bot) -> None:
    asked = bot.driver.event({"type": "app_uninstalled"}, team=TEAM_ID)
    assert asked.status == 200


def test_requests_from_many_threads_each_carry_their_workspaces_answer(coalition: Coalition) -> None:
    """Two workspaces' people at once: each gets its own answer, with its own workspace's token."""
    bot, slack = coalition.bot, coalition.bot.slack
    results: list[int] = []

    def ask(user: str, channel: str) -> None:
        results.append(bot.driver.command("/turnout", "help", user=user, channel=channel).status)

    threads = [
        threading.Thread(target=ask, args=(user, channel))
        for user, channel in [("USUNANA", "CSUNIA"), ("UMTREVA", "CMTRIA")] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 8
    assert slack.refusals == []
    for team, prefix in ((SUNRISE, "USUN"), (MTR, "UMTR")):
        looked_up = {
            c.token for c in slack.calls_to("users.info") if c.params.get("user", "").startswith(prefix)
        }
        assert looked_up == {slack.token_for(team)}


def test_an_app_started_after_the_installs_authorizes_from_the_database(
    coalition: Coalition, slack: LocalSlack
) -> None:
    """Installs live in the database: an app started later (another web worker) finds them."""
    first = coalition.bot
    executor = TrackingExecutor()
    app = build_app(first.deps, client=first.client, executor=executor)
    second = SlackDriver(build_wsgi(app, first.deps), slack, SIGNING_SECRET, executor)
    started = time.monotonic()
    asked = second.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    executor.shutdown(wait=True)
    assert asked.status == 200 and "/shifts" in asked.text and time.monotonic() - started < 10


def test_the_manifest_asks_for_what_the_install_asks_for() -> None:
    manifest = yaml.safe_load((Path(__file__).parents[2] / "manifest.yml").read_text())
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
    (redirect,) = manifest["oauth_config"]["redirect_urls"]
    assert urlsplit(redirect).path == REDIRECT_PATH
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_turnout_run_serves_a_coalition_over_http(tmp_path: Path) -> None:
    """The real entry point with SLACK_CLIENT_ID set and no bot token: install from the install
    page over HTTP, then a signed command from that workspace is answered with its token."""
    slack = LocalSlack(token="xoxb-unused").start()
    slack.add_workspace(SUNRISE, "Sunrise", "sunrise")
    slack.add_person("USUNANA", "ana", team=SUNRISE, is_admin=True)
    slack.enable_oauth(CLIENT_ID, "secret")
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "",
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": "secret",
        "TURNOUT_WORKSPACES": SUNRISE,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": slack.api_url,
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'coalition.db'}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: answers_healthz(base), "answer on /healthz from turnout run", server)
        with urllib.request.urlopen(base + "/slack/install", timeout=5) as page:
            cookie = page.headers["Set-Cookie"].split(";")[0]
            link = html.unescape(re.findall(r'href="([^"]+)"', page.read().decode())[-1])
        back = urlsplit(slack.consent(link, SUNRISE, "USUNANA"))
        redirect = urllib.request.Request(f"{base}{back.path}?{back.query}", headers={"Cookie": cookie})
        with urllib.request.urlopen(redirect, timeout=10) as done:
            assert done.status == 200 and "Thank you" in done.read().decode()
        body = urlencode(
            {
                "command": "/turnout",
                "text": "help",
                "team_id": SUNRISE,
                "user_id": "USUNANA",
                "channel_id": "CX",
                "response_url": slack.response_url("r.USUNANA.CX"),
                "trigger_id": "t",
            }
        ).encode()
        request = urllib.request.Request(
            base + "/slack/events", data=body, headers=signed_headers(SIGNING_SECRET, body, FORM)
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            # Slack shows a reply the ack carries as it shows one sent to the response_url.
            slack.answer_in_ack("r.USUNANA.CX", response.read().decode())
        wait_until(lambda: bool(slack.responses("r.USUNANA.CX")), "reply to /turnout help", server)
        assert "/shifts" in message_text(slack.responses("r.USUNANA.CX")[0])
        wait_until(
            lambda: bool(slack.calls_to("users.info", team=SUNRISE)),
            "the profile asked with Sunrise's token",
            server,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
        slack.stop()
    assert slack.refusals == []


def test_a_request_is_answered_when_the_installation_cannot_be_read(
    coalition: Coalition, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(self: TurnoutInstallationStore, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(TurnoutInstallationStore, "find_bot", unreachable)
    asked = coalition.bot.command("/turnout", "help", user="USUNANA", channel="CSUNIA")
    assert asked.status == 200 and asked.text == NOT_INSTALLED


def test_an_install_that_cannot_be_saved_says_so(
    coalition: Coalition, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(self: SQLAlchemyInstallationStore, installation: object) -> None:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(SQLAlchemyInstallationStore, "save", unreachable)
    page = coalition.bot.driver.install(SUNRISE)
    assert page.status == 500 and "could not save the installation" in page.body
