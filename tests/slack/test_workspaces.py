"""`deps.workspaces`: the client that acts in each workspace Turnout serves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.deps import make_deps
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.slack.installations import TurnoutInstallationStore
from bot.slack.workspaces import InstalledWorkspaces, OneWorkspace
from tests.conftest import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def stand_in() -> Iterator[LocalSlack]:
    slack = LocalSlack(token="xoxb-one").start()
    yield slack
    slack.stop()


def installation(team_id: str, token: str, *, installed_at: float = 1_700_000_000.0) -> Installation:
    return Installation(
        app_id="A0TURNOUT",
        team_id=team_id,
        team_name=team_id.title(),
        bot_token=token,
        bot_id="B" + team_id,
        bot_user_id="U" + team_id,
        bot_scopes="commands,chat:write",
        user_id="UINSTALLER",
        installed_at=installed_at,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingStore(TurnoutInstallationStore):
    def __init__(self, client_id: str, engine: Engine) -> None:
        super().__init__(client_id, engine)
        self.lookups = 0

    def bot_for_team(self, team_id: str):  # type: ignore[no-untyped-def]
        self.lookups += 1
        return super().bot_for_team(team_id)


def test_one_workspace_asks_slack_its_id_once(stand_in: LocalSlack) -> None:
    client = WebClient(token="xoxb-one", base_url=stand_in.api_url)
    workspaces = OneWorkspace(client)
    assert workspaces.client(TEAM_ID) is client
    assert workspaces.client("T0OTHER") is None
    assert workspaces.active() == [TEAM_ID]
    assert len(stand_in.calls_to("auth.test")) == 1
    assert OneWorkspace(client, "T0KNOWN").active() == ["T0KNOWN"]
    assert len(stand_in.calls_to("auth.test")) == 1  # told, not asked


def test_installed_workspaces_use_each_ones_latest_token(engine: Engine) -> None:
    store = TurnoutInstallationStore(CLIENT_ID, engine)
    store.save(installation("T0A", "xoxb-a1", installed_at=1_700_000_000.0))
    store.save(installation("T0A", "xoxb-a2", installed_at=1_700_000_100.0))  # installed again
    # A second workspace's rows as a coalition will have them (installs of a second one are
    # refused for now, so they are written past that rule).
    SQLAlchemyInstallationStore.save(store, installation("T0B", "xoxb-b"))
    TurnoutInstallationStore("9.9", engine).save(installation("T0C", "xoxb-other-app"))
    made: list[str] = []

    def factory(token: str) -> WebClient:
        made.append(token)
        return WebClient(token=token)

    workspaces = InstalledWorkspaces(store, factory)
    a = workspaces.client("T0A")
    assert a is not None and a.token == "xoxb-a2"
    assert workspaces.client("T0C") is None  # another app's installation
    assert workspaces.client("T0NONE") is None
    assert workspaces.active() == ["T0A", "T0B"]
    assert workspaces.client("T0A") is a and made == ["xoxb-a2"]


def test_a_token_is_read_again_after_a_while_or_when_forgotten(engine: Engine) -> None:
    store = CountingStore(CLIENT_ID, engine)
    store.save(installation("T0A", "xoxb-a1"))
    clock = Clock()
    workspaces = InstalledWorkspaces(store, lambda token: WebClient(token=token), ttl=30, monotonic=clock)
    first = workspaces.client("T0A")
    workspaces.client("T0A")
    assert store.lookups == 1
    store.delete_all(enterprise_id=None, team_id="T0A")  # uninstalled by another process
    clock.now = 29
    assert workspaces.client("T0A") is first
    clock.now = 31
    assert workspaces.client("T0A") is None and store.lookups == 2
    store.save(installation("T0A", "xoxb-a2"))
    assert workspaces.client("T0A") is None  # still remembered as not installed
    workspaces.forget("T0A")  # installed through this process
    again = workspaces.client("T0A")
    assert again is not None and again.token == "xoxb-a2"


def test_finding_a_bot_never_takes_the_write_lock(engine: Engine) -> None:
    """What every request runs before its ack is a read (on SQLite: a deferred transaction)."""
    store = TurnoutInstallationStore(CLIENT_ID, engine)
    store.save(installation("T0A", "xoxb-a"))
    assert store.reads.engine.get_execution_options().get("turnout_read_only") is True
    found = store.find_bot(enterprise_id=None, team_id="T0A")
    assert found is not None and found.bot_token == "xoxb-a"
    assert store.installed_teams() == ["T0A"]


def test_deps_pick_the_workspaces_from_the_settings(engine: Engine, settings: Settings) -> None:
    one = make_deps(settings, engine=engine, team_id="T0ONE")
    assert isinstance(one.workspaces, OneWorkspace) and one.installations is None
    coalition = make_deps(
        replace(settings, slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET), engine=engine
    )
    assert isinstance(coalition.workspaces, InstalledWorkspaces)
    assert coalition.installations is not None and coalition.installations.client_id == CLIENT_ID


def test_each_workspace_is_saved_and_reinstalling_keeps_one(engine: Engine) -> None:
    store = TurnoutInstallationStore(CLIENT_ID, engine)
    store.save(installation("T0A", "xoxb-a1"))
    store.save(installation("T0A", "xoxb-a2"))
    store.save(installation("T0B", "xoxb-b"))
    assert store.installed_teams() == ["T0A", "T0B"]
