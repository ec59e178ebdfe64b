"""Fixtures: every database test runs on SQLite and on PostgreSQL.

`engine` is an empty database with every table: on SQLite a copy of a template file made once
per session; on PostgreSQL one schema per test session (each xdist worker is its own session),
created once and emptied with TRUNCATE … RESTART IDENTITY CASCADE before each test.
`db_url` and `postgres_url` are for tests that need a database of their own, untouched by
create_all (migrations, several processes, advisory locks): each gets a fresh schema or file.

PostgreSQL comes from TURNOUT_TEST_POSTGRES_URL (default: the local server on 127.0.0.1).
Where it is unreachable its tests are skipped, saying why; under CI (CI=true) they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_sdk import WebClient
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from bot import models  # noqa: F401  (registers the tables)
from bot.blocks import actions as act
from bot.cli.app import build_app, build_wsgi
from bot.config import Settings
from bot.db import create_db_engine
from bot.deps import Deps, make_deps
from bot.localslack.driver import SlackDriver, TrackingExecutor
from bot.localslack.reading import buttons
from bot.localslack.webapi import TEAM_ID, LocalSlack
from bot.slack.client import make_client
from bot.slack.pacing import Pacer
from bot.slack.profiles import ProfileRefresher
from bot.slack.redraws import Coalescer
from bot.slack.workspaces import OneWorkspace

POSTGRES_URL = os.environ.get(
    "TURNOUT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
# A coalition's distributed app, and two of its organizations' workspaces.
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "test-client-secret"
SUNRISE, MTR = "T0SUNRISE", "T0MTR"


def _postgres_problem() -> str | None:
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {error.__class__.__name__}: {str(error)[:200]}"
    return None


_PG_PROBLEM: list[str | None] = []


def postgres_or_skip() -> None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_problem())
    problem = _PG_PROBLEM[0]
    if problem:
        if os.environ.get("CI"):
            pytest.fail(problem + " (CI requires PostgreSQL)")
        pytest.skip(problem)


def bot_env(slack: LocalSlack, database_url: str) -> dict[str, str]:
    """The environment a `turnout` subprocess needs to run against the stand-in and a database."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }


@dataclass
class Clock:
    """The time every service and job sees; tests move it explicitly."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# A Sunday morning in Iowa; shifts in the factories start days later.
START = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


# The tests' PostgreSQL sessions keep a time zone other than UTC, as a server may: an instant
# bound with its zone where a column stores naive UTC would be stored shifted, and fail a test.
SESSION_TIME_ZONE = "Asia/Tokyo"


def _schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}%20-ctimezone%3D{SESSION_TIME_ZONE.replace('/', '%2F')}"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL for a fresh PostgreSQL schema, dropped afterwards."""
    postgres_or_skip()
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


PG = pytest.param("postgresql", marks=pytest.mark.postgresql)


@pytest.fixture(params=["sqlite", PG])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL (no tables): a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'turnout.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """For what only PostgreSQL has (advisory locks, several processes on one database)."""
    with postgres_schema() as url:
        yield url


# The stand-in's own workspace is the organization every single-workspace test acts in.
HOME_ORGANIZATION = sa.text(
    "INSERT INTO organization (team_id, name, installed_at, created_at) "
    f"VALUES ('{TEAM_ID}', '', '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every table, made once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "turnout.db"
    engine = create_db_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(HOME_ORGANIZATION)
    engine.dispose()  # closing the last connection folds the WAL back into the file
    return path


@dataclass
class SharedSchema:
    url: str
    truncate: sa.TextClause


@pytest.fixture(scope="session")
def postgres_tables() -> Iterator[SharedSchema]:
    """One schema with every table for the whole session (or xdist worker), dropped at the end."""
    with postgres_schema() as url:
        engine = create_db_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
        yield SharedSchema(url, sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", PG])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database with every table."""
    if request.param == "sqlite":
        path = tmp_path / "turnout.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        postgres_or_skip()
        shared: SharedSchema = request.getfixturevalue("postgres_tables")
        url = shared.url
    engine = create_db_engine(url)
    if request.param != "sqlite":
        # Emptied before, not after, each test: a test that died half-way leaves nothing behind.
        with engine.begin() as connection:
            connection.execute(shared.truncate)
            connection.execute(HOME_ORGANIZATION)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, admins=frozenset({"UADMIN"})
    )


@pytest.fixture
def deps(engine: Engine, clock: Clock, settings: Settings) -> Iterator[Deps]:
    # Fan-outs are paced for real in production; here the waits are skipped (the bench measures pacing).
    deps = replace(
        make_deps(settings, engine=engine, clock=clock, team_id=TEAM_ID),
        make_pacer=lambda: Pacer(1000, sleep=lambda _s: None),
        # Redraws still coalesce, without the second between them (tests/slack/test_redraws.py has it).
        redraws=Coalescer(0.0),
        profiles=ProfileRefresher(0.0),
    )
    yield deps
    deps.lanes.shutdown()


@pytest.fixture
def slack(request: pytest.FixtureRequest) -> Iterator[LocalSlack]:
    """The Web API stand-in, with a small workspace: an admin, a coordinator, volunteers, channels.

    It refuses what Slack refuses; a test fails if the bot sent anything Slack would have
    refused (or sent blocks without fallback text), unless it is marked `slack_refusals`."""
    stand_in = LocalSlack(token=BOT_TOKEN).start()
    stand_in.add_person("UADMIN", "alex", real_name="Alex Admin")
    stand_in.add_person("UOWNER", "olive", real_name="Olive Owner", is_owner=True)
    stand_in.add_person("UCOORD", "cora", real_name="Cora Coordinator")
    for n, name in enumerate(["ana", "ben", "cam", "dee", "eli", "fay"], start=1):
        stand_in.add_person(f"UVOL{n}", name, real_name=name.title(), email=f"{name}@example.org")
    stand_in.add_channel("CIOWA", "iowa")
    stand_in.add_channel("CNH", "new-hampshire")
    stand_in.add_channel("CRANDOM", "random")
    yield stand_in
    stand_in.stop()
    if request.node.get_closest_marker("slack_refusals") is None:
        assert stand_in.refusals == [], f"Slack would have refused: {stand_in.refusals}"
        assert stand_in.warnings == [], f"Slack would have warned: {stand_in.warnings}"


@dataclass
class Bot:
    """The real Bolt app behind its WSGI front, driven as Slack would drive it."""

    driver: SlackDriver
    slack: LocalSlack
    deps: Deps
    clock: Clock
    client: WebClient

    def command(self, command: str, text: str = "", *, user: str = "UVOL1", channel: str = "CRANDOM"):  # type: ignore[no-untyped-def]
        return self.driver.command(command, text, user=user, channel=channel)

    def cancel_shift(self, shift_id: int, reason: str = "", *, user: str = "UCOORD"):  # type: ignore[no-untyped-def]
        """`/turnout shift cancel ID [REASON]`, then the confirmation's Cancel button."""
        asked = self.command("/turnout", f"shift cancel {shift_id} {reason}".strip(), user=user)
        if not any(b.get("action_id") == act.CANCEL_SHIFT for b in buttons(asked.reply)):
            return asked  # refused, or cancelled already: nothing to confirm
        return self.click(asked.reply, act.CANCEL_SHIFT, user=user)

    def click(
        self, message, action_id: str, *, user: str = "UVOL1", value: str | None = None, wait: bool = True
    ):  # type: ignore[no-untyped-def]
        return self.driver.click(message, action_id, user=user, value=value, wait=wait)


@pytest.fixture
def bot(deps: Deps, slack: LocalSlack, clock: Clock, settings: Settings) -> Iterator[Bot]:
    client = make_client(replace(settings, slack_api_url=slack.api_url))
    executor = TrackingExecutor()
    # Whatever acts outside a request reaches the stand-in too, with the same client.
    deps = replace(deps, workspaces=OneWorkspace(client, TEAM_ID))
    app = build_app(deps, client=client, executor=executor)
    driver = SlackDriver(build_wsgi(app, deps), slack, SIGNING_SECRET, executor)
    yield Bot(driver, slack, deps, clock, client)
    executor.shutdown(wait=True)


@dataclass
class Coalition:
    """Turnout installed through OAuth in two organizations' workspaces, `a` and `b`."""

    bot: Bot
    a: str
    b: str


@pytest.fixture
def coalition(engine: Engine, clock: Clock, slack: LocalSlack, settings: Settings) -> Iterator[Coalition]:
    """The distributed app (SLACK_CLIENT_ID set), installed through its install page into Sunrise
    (`a`: admin sam, ana, ben; #iowa CSUNIA) and Make the Road (`b`: admin max, eva, flo; #iowa
    CMTRIA). The stand-in's first workspace has no install."""
    slack.add_workspace(SUNRISE, "Sunrise", "sunrise")
    slack.add_workspace(MTR, "Make the Road", "mtr")
    for team, prefix, people, channel in (
        (SUNRISE, "USUN", ("sam", "ana", "ben"), "CSUNIA"),
        (MTR, "UMTR", ("max", "eva", "flo"), "CMTRIA"),
    ):
        for n, name in enumerate(people):
            slack.add_person(
                f"{prefix}{name.upper()}",
                name,
                team=team,
                real_name=name.title(),
                email=f"{name}@{team.lower()}.example.org",
                is_admin=n == 0,
            )
        slack.add_channel(channel, "iowa", team=team)
    slack.enable_oauth(CLIENT_ID, CLIENT_SECRET)
    settings = replace(
        settings,
        slack_bot_token="",
        slack_api_url=slack.api_url,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        admins=frozenset({f"{SUNRISE}:USUNSAM", f"{MTR}:UMTRMAX"}),
        member_workspaces=frozenset({SUNRISE, MTR}),
    )
    deps = replace(
        make_deps(settings, engine=engine, clock=clock),
        make_pacer=lambda: Pacer(1000, sleep=lambda _s: None),
        redraws=Coalescer(0.0),
        profiles=ProfileRefresher(0.0),
    )
    client = make_client(settings)
    executor = TrackingExecutor()
    app = build_app(deps, client=client, executor=executor)
    driver = SlackDriver(build_wsgi(app, deps), slack, SIGNING_SECRET, executor)
    for team in (SUNRISE, MTR):
        page = driver.install(team)
        assert page.status == 200, page.body
    yield Coalition(Bot(driver, slack, deps, clock, client), SUNRISE, MTR)
    executor.shutdown(wait=True)
    deps.lanes.shutdown()
