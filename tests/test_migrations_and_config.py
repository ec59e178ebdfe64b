"""Migrations build exactly the models' schema; settings fail fast and name what is wrong."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.config import ConfigError, Settings
from bot.db import alembic_config, create_db_engine, upgrade


def test_migrations_match_the_models(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)  # a second upgrade is a no-op
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert version == ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()


def test_sqlite_is_tuned_for_concurrency(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    engine.dispose()


GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_settings_defaults_and_normalisation() -> None:
    settings = Settings.from_env(
        {**GOOD, "DATABASE_URL": "postgres://u@h/db", "TURNOUT_ADMINS": "U1AB, W2CD"}
    )
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.admins == frozenset({"U1AB", "W2CD"})
    assert settings.slack_api_url == "https://slack.com/api/" and settings.port == 3000
    assert not settings.socket_mode
    assert Settings.from_env({**GOOD, "SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url.endswith(
        "/api/"
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN is missing"),
        ({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "s"}, "must be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is missing"),
        ({**GOOD, "SLACK_APP_TOKEN": "nope"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({**GOOD, "PORT": "eighty"}, "PORT must be a whole number"),
        ({**GOOD, "PORT": "70000"}, "PORT must be between 1 and 65535"),
        ({**GOOD, "DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must use sqlite or postgresql"),
        ({**GOOD, "DATABASE_URL": "turnout.db"}, "DATABASE_URL must look like"),
        ({**GOOD, "SLACK_API_URL": "slack.com"}, "SLACK_API_URL must be an http(s) URL"),
        ({**GOOD, "TURNOUT_ADMINS": "ana,U1"}, "TURNOUT_ADMINS must be comma-separated Slack user ids"),
        ({**GOOD, "LOG_LEVEL": "loud"}, "LOG_LEVEL must be"),
    ],
)
def test_a_bad_setting_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert named in str(error.value)


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode


def test_database_commands_need_no_slack_settings() -> None:
    assert Settings.from_env({}, require_slack=False).database_url == "sqlite:///turnout.db"
