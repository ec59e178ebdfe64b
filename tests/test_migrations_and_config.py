"""Migrations build exactly the models' schema; settings fail fast and name what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
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


def test_the_installations_migration_goes_down_and_up_again(db_url: str) -> None:
    upgrade(db_url)
    command.downgrade(alembic_config(db_url), "0006")
    engine = create_db_engine(db_url)
    assert not {"slack_bots", "slack_installations", "slack_oauth_states"} & set(
        sa.inspect(engine).get_table_names()
    )
    engine.dispose()
    upgrade(db_url)
    engine = create_db_engine(db_url)
    assert {"slack_bots", "slack_installations", "slack_oauth_states"} <= set(
        sa.inspect(engine).get_table_names()
    )
    engine.dispose()


def test_the_rollup_migration_backfills_from_existing_logs(db_url: str) -> None:
    """A campaign upgrading with logs already recorded gets its new rollups filled in."""
    upgrade(db_url, "0002")
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO state (code, timezone, unclaim_cutoff_minutes, morning_at, evening_at, "
                "day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) "
                "VALUES ('IA', 'America/Chicago', 180, '09:00', '20:00', '11:00', '08:00', 120, 60, "
                "'2026-11-01 00:00:00')"
            )
        )
        for user in ("U1", "U2"):
            connection.execute(
                sa.text(
                    "INSERT INTO volunteer (id, display_name, real_name, is_workspace_admin, created_at, "
                    "profile_updated_at) VALUES (:u, :u, '', false, '2026-11-01', '2026-11-01')"
                ),
                {"u": user},
            )
        rows = [
            ("U1", "2026-11-22", 10, 2),
            ("U1", "2026-11-23", 5, 0),
            ("U2", "2026-11-23", 7, 1),
            ("U1", "2026-11-23", 1, 1),
        ]
        for user, day, doors, convos in rows:  # Sun 22nd, then Mon 23rd starts a new week
            connection.execute(
                sa.text(
                    "INSERT INTO contactlog (volunteer_id, state, local_date, logged_at, doors, calls, texts, convos, supporters) "
                    "VALUES (:u, 'IA', :d, '2026-11-23 12:00:00', :doors, 0, 0, :convos, 0)"
                ),
                {"u": user, "d": day, "doors": doors, "convos": convos},
            )
    engine.dispose()
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        days = connection.execute(
            sa.text("SELECT local_date, doors, logs, active FROM stateday ORDER BY local_date")
        ).all()
        weeks = connection.execute(
            sa.text(
                "SELECT volunteer_id, week_start, contacts, logs FROM contactweek ORDER BY volunteer_id, week_start"
            )
        ).all()
    engine.dispose()
    assert [(str(d), doors, logs, active) for d, doors, logs, active in days] == [
        ("2026-11-22", 10, 1, 1),
        ("2026-11-23", 13, 3, 2),
    ]
    assert [(v, str(w), c, n) for v, w, c, n in weeks] == [
        ("U1", "2026-11-16", 12, 1),
        ("U1", "2026-11-23", 7, 2),
        ("U2", "2026-11-23", 8, 1),
    ]


def test_the_distributed_organizing_migration_starts_the_ladder_from_existing_signups(db_url: str) -> None:
    """Volunteers who attended shifts before hosting existed keep their place on the ladder."""
    upgrade(db_url, "0005")
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO state (code, timezone, unclaim_cutoff_minutes, morning_at, evening_at, "
                "day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) "
                "VALUES ('IA', 'America/Chicago', 180, '09:00', '20:00', '11:00', '08:00', 120, 60, "
                "'2026-11-01 00:00:00')"
            )
        )
        for user in ("U1", "U2"):
            connection.execute(
                sa.text(
                    "INSERT INTO volunteer (id, display_name, real_name, is_workspace_admin, created_at, "
                    "profile_updated_at) VALUES (:u, :u, '', false, '2026-11-01', '2026-11-01')"
                ),
                {"u": user},
            )
        # U1: attended the 1st, 3rd, 5th and 7th, no-show the 2nd and 4th; U2: one claim, never attended.
        marks = {
            1: "attended",
            2: "no_show",
            3: "attended",
            4: "no_show",
            5: "attended",
            6: None,
            7: "attended",
        }
        for day, status in marks.items():
            connection.execute(
                sa.text(
                    "INSERT INTO shift (id, state, kind, starts_at, ends_at, location, notes, capacity, status, "
                    "version, created_by, created_at) VALUES (:id, 'IA', 'canvass', :starts, :ends, 'HQ', '', 5, "
                    "'open', 0, 'UC', '2026-10-01 00:00:00')"
                ),
                {"id": day, "starts": f"2026-11-0{day} 16:00:00", "ends": f"2026-11-0{day} 19:00:00"},
            )
            for user, mark in (("U1", status), ("U2", "claimed" if day == 6 else None)):
                if mark:
                    connection.execute(
                        sa.text(
                            "INSERT INTO signup (shift_id, volunteer_id, status, created_at, updated_at) "
                            "VALUES (:s, :u, :m, :at, :at)"
                        ),
                        {"s": day, "u": user, "m": mark, "at": f"2026-10-2{day} 12:00:00"},
                    )
    engine.dispose()
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT volunteer_id, first_signup_at, attended, hosted, no_shows, last_shift_id, "
                "last_attended_at, third_last_attended_at, second_last_no_show_at, celebrated_rung, "
                "celebrated_on FROM engagement "
                "ORDER BY volunteer_id"
            )
        ).all()
    engine.dispose()
    assert [tuple(str(v)[:16] if v is not None else None for v in row) for row in rows] == [
        (
            "U1",
            "2026-10-21 12:00",
            "4",
            "0",
            "2",
            "7",
            "2026-11-07 16:00",
            "2026-11-03 16:00",
            "2026-11-02 16:00",
            "regular",  # what they reached before the ladder is history, not tonight's news
            None,
        ),
        ("U2", "2026-10-26 12:00", "0", "0", "0", None, None, None, None, None, None),
    ]


def test_the_languages_migration_keeps_everyone_in_english_until_slack_or_they_say_otherwise(
    db_url: str,
) -> None:
    """Volunteers and states from before languages existed read English (no locale, no choice)
    until their profile is next refreshed or they choose; downgrading drops only the new columns."""
    upgrade(db_url, "0007")
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO state (code, timezone, unclaim_cutoff_minutes, morning_at, evening_at, "
                "day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) "
                "VALUES ('IA', 'America/Chicago', 180, '09:00', '20:00', '11:00', '08:00', 120, 60, "
                "'2026-11-01 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO volunteer (id, display_name, real_name, is_workspace_admin, created_at, "
                "profile_updated_at) VALUES ('U1', 'ana', '', false, '2026-11-01', '2026-11-01')"
            )
        )
    engine.dispose()
    upgrade(db_url, "0008_languages")
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        volunteer = connection.execute(sa.text("SELECT display_name, locale, language FROM volunteer")).one()
        state = connection.execute(sa.text("SELECT code, language FROM state")).one()
    engine.dispose()
    assert tuple(volunteer) == ("ana", None, None) and tuple(state) == ("IA", None)
    command.downgrade(alembic_config(db_url), "0007")
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        assert "locale" not in {c["name"] for c in sa.inspect(connection).get_columns("volunteer")}
        assert connection.execute(sa.text("SELECT display_name FROM volunteer")).scalar_one() == "ana"
    engine.dispose()


def test_sqlite_is_tuned_for_concurrency(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    engine.dispose()


GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
OAUTH = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}


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
        ({**GOOD, "SLACK_CLIENT_ID": "123.456"}, "SLACK_CLIENT_SECRET is missing: SLACK_CLIENT_ID and"),
        ({**GOOD, "SLACK_CLIENT_SECRET": "s"}, "SLACK_CLIENT_ID is missing: SLACK_CLIENT_ID and"),
        ({**OAUTH, "SLACK_CLIENT_ID": "my-app"}, "SLACK_CLIENT_ID must be the app's client id"),
        ({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}, "a distributed app is served over HTTP"),
        ({**OAUTH, "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is missing"),
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxp-1"}, "must be a bot token"),
        (
            {**OAUTH, "SLACK_REDIRECT_URI": "http://turnout.example.org/slack/oauth_redirect"},
            "SLACK_REDIRECT_URI must be the https URL of Turnout's /slack/oauth_redirect",
        ),
        (
            {**OAUTH, "SLACK_REDIRECT_URI": "https://turnout.example.org/oauth"},
            "SLACK_REDIRECT_URI must be the https URL",
        ),
        (
            {**GOOD, "SLACK_REDIRECT_URI": "https://turnout.example.org/slack/oauth_redirect"},
            "SLACK_REDIRECT_URI is set but SLACK_CLIENT_ID is not",
        ),
        (
            {**GOOD, "TURNOUT_CAMPAIGN_ADMINS": "U1AB"},
            "TURNOUT_CAMPAIGN_ADMINS must be comma-separated TEAMID:USERID",
        ),
        ({**GOOD, "TURNOUT_CAMPAIGN_ADMINS": "T1:U1AB"}, "got 'T1:U1AB'"),
        ({**OAUTH, "TURNOUT_ADMINS": "T0AB:U1AB, U2CD"}, "TURNOUT_ADMINS entries must be TEAMID:USERID"),
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


def test_one_workspace_is_the_default_and_a_coalition_needs_no_bot_token() -> None:
    one = Settings.from_env(GOOD)
    assert not one.distributed and one.slack_client_id == ""
    coalition = Settings.from_env(
        {
            **OAUTH,
            "SLACK_REDIRECT_URI": "https://turnout.example.org/slack/oauth_redirect",
            "TURNOUT_ADMINS": "T0SUN:U0SAM",
            "TURNOUT_CAMPAIGN_ADMINS": "T0SUN:U0SAM, T0MTR:W0MAX",
        }
    )
    assert coalition.distributed and coalition.slack_bot_token == ""
    assert coalition.slack_redirect_uri == "https://turnout.example.org/slack/oauth_redirect"
    assert coalition.campaign_admins == frozenset({("T0SUN", "U0SAM"), ("T0MTR", "W0MAX")})
    assert coalition.is_listed_campaign_admin("T0MTR", "W0MAX")
    assert not coalition.is_listed_campaign_admin("T0SUN", "W0MAX")
    assert "slack_client_secret" not in repr(coalition)  # logs of the settings never show it
    # A loopback redirect works for trying it out locally.
    local = {**OAUTH, "SLACK_REDIRECT_URI": "http://localhost:3000/slack/oauth_redirect"}
    assert Settings.from_env(local).slack_redirect_uri.startswith("http://localhost")


def test_listed_admins_are_named_with_their_workspace() -> None:
    one = Settings.from_env({**GOOD, "TURNOUT_ADMINS": "U0ANA, T0SUN:U0BEN"})
    assert one.is_listed_admin("T0ANY", "U0ANA")  # one workspace: a user id is enough
    assert one.is_listed_admin("T0SUN", "U0BEN") and not one.is_listed_admin("T0MTR", "U0BEN")
    coalition = Settings.from_env({**OAUTH, "TURNOUT_ADMINS": "T0SUN:U0BEN"})
    assert coalition.is_listed_admin("T0SUN", "U0BEN")
    assert not coalition.is_listed_admin("T0MTR", "U0BEN")


def test_every_setting_is_described_in_the_example_env_and_the_readme() -> None:
    root = Path(__file__).parents[1]
    read = set(re.findall(r'get\("([A-Z_]+)"\)', (root / "bot" / "config.py").read_text()))
    example = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.M))
    readme = (root / "README.md").read_text()
    assert read and read <= example
    assert [name for name in sorted(read) if f"`{name}`" not in readme] == []
