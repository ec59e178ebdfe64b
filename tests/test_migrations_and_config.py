"""Migrations build exactly the models' schema; settings fail fast and name what is wrong."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from bot.cli.main import Workspace
from bot.cli.main import main as turnout
from bot.config import ConfigError, Settings
from bot.db import MigrationNeedsWorkspace, alembic_config, create_db_engine, upgrade
from tests.rollups import recomputed, stored

# The one workspace a database from before coalitions belongs to, as `auth.test` names it.
LEGACY = Workspace("T0LEGACY", "Legacy Org")
# Every table whose rows belong to one workspace (migration 0011).
PER_WORKSPACE = (
    "state",
    "volunteer",
    "coordinator",
    "trustedhost",
    "trainingrecord",
    "trainingrule",
    "engagement",
    "shift",
    "signup",
    "contactlog",
    "contactday",
    "contactweek",
    "stateday",
    "goal",
    "delivery",
)


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
    upgrade(db_url, team=LEGACY)
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
    upgrade(db_url, team=LEGACY)
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


def test_the_state_day_shards_migration_keeps_every_day_s_totals_both_ways(db_url: str) -> None:
    """Upgrading keeps each state's day as it was (in shard 0); going back adds the shards up."""
    upgrade(db_url, "0008_languages")
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
                "INSERT INTO stateday (state, local_date, doors, calls, texts, convos, supporters, logs, active) "
                "VALUES ('IA', '2026-11-22', 10, 1, 2, 3, 4, 5, 2)"
            )
        )
    engine.dispose()
    upgrade(db_url, "0010")
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        day = (
            "SELECT shard, doors, calls, texts, convos, supporters, logs, active FROM stateday ORDER BY shard"
        )
        assert connection.execute(sa.text(day)).all() == [(0, 10, 1, 2, 3, 4, 5, 2)]
        connection.execute(  # a later log from someone in another shard
            sa.text(
                "INSERT INTO stateday (state, local_date, shard, doors, calls, texts, convos, supporters, "
                "logs, active) VALUES ('IA', '2026-11-22', 5, 7, 0, 0, 1, 0, 1, 1)"
            )
        )
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0008_languages")
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT doors, calls, texts, convos, supporters, logs, active FROM stateday")
        ).all()
    engine.dispose()
    assert rows == [(17, 1, 2, 4, 4, 6, 3)]


def test_sqlite_is_tuned_for_concurrency(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
    engine.dispose()


GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
OAUTH = {
    "SLACK_CLIENT_ID": "123.456",
    "SLACK_CLIENT_SECRET": "c",
    "SLACK_SIGNING_SECRET": "s",
    "TURNOUT_WORKSPACES": "T0SUNRISE,T0MTR",
}


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


def test_a_coalition_lists_its_workspaces_or_says_any() -> None:
    listed = Settings.from_env(OAUTH, require_slack=True)
    assert listed.is_member_workspace("T0MTR") and not listed.is_member_workspace("T0STRANGER")
    assert Settings.from_env({**OAUTH, "TURNOUT_WORKSPACES": "*"}).is_member_workspace("T0STRANGER")
    assert Settings.from_env(GOOD).is_member_workspace("T0ANY")  # one workspace: its token says which


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
        ({**OAUTH, "TURNOUT_WORKSPACES": ""}, "TURNOUT_WORKSPACES is missing: with SLACK_CLIENT_ID set"),
        ({**OAUTH, "TURNOUT_WORKSPACES": "T0SUN, sunrise"}, "TURNOUT_WORKSPACES must be comma-separated"),
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


def _one_workspace_campaign(db_url: str) -> None:
    """A database at 0010 as one workspace's campaign left it: a row in every per-workspace table."""
    upgrade(db_url, "0010")
    engine = create_db_engine(db_url)
    at = "'2026-11-01 12:00:00'"
    rows = (
        "INSERT INTO state (code, timezone, channel_id, unclaim_cutoff_minutes, morning_at, evening_at, "
        "day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) VALUES "
        f"('IA', 'America/Chicago', 'CIOWA', 180, '09:00', '20:00', '11:00', '08:00', 120, 60, {at})",
        "INSERT INTO volunteer (id, display_name, real_name, is_workspace_admin, home_state, created_at, "
        f"profile_updated_at) VALUES ('U1', 'ana', 'Ana', false, 'IA', {at}, {at})",
        f"INSERT INTO coordinator (user_id, state, granted_by, granted_at) VALUES ('U1', 'IA', 'U0', {at})",
        f"INSERT INTO trustedhost (user_id, state, granted_by, granted_at) VALUES ('U1', 'IA', 'U0', {at})",
        "INSERT INTO trainingrecord (user_id, state, recorded_by, recorded_at) "
        f"VALUES ('U1', 'IA', 'U0', {at})",
        f"INSERT INTO trainingrule (state, kind, set_by, set_at) VALUES ('IA', 'canvass', 'U0', {at})",
        "INSERT INTO engagement (volunteer_id, state, first_signup_at, attended, hosted, no_shows) "
        f"VALUES ('U1', 'IA', {at}, 1, 0, 0)",
        "INSERT INTO shift (state, kind, starts_at, ends_at, location, notes, capacity, status, version, "
        f"created_by, created_at, host_id) VALUES ('IA', 'canvass', {at}, '2026-11-01 15:00:00', 'HQ', '', "
        f"3, 'open', 1, 'U1', {at}, 'U1')",
        "INSERT INTO signup (shift_id, volunteer_id, status, created_at, updated_at) "
        f"VALUES (1, 'U1', 'claimed', {at}, {at})",
        "INSERT INTO contactlog (volunteer_id, state, local_date, logged_at, doors, calls, texts, convos, "
        f"supporters) VALUES ('U1', 'IA', '2026-11-01', {at}, 5, 0, 0, 1, 0)",
        "INSERT INTO contactday (volunteer_id, state, local_date, logs, doors, calls, texts, convos, "
        "supporters) VALUES ('U1', 'IA', '2026-11-01', 1, 5, 0, 0, 1, 0)",
        "INSERT INTO contactweek (volunteer_id, state, week_start, contacts, logs, doors, calls, texts, "
        "convos, supporters) VALUES ('U1', 'IA', '2026-10-26', 6, 1, 5, 0, 0, 1, 0)",
        "INSERT INTO stateday (state, local_date, shard, logs, active, doors, calls, texts, convos, "
        "supporters) VALUES ('IA', '2026-11-01', 0, 1, 1, 5, 0, 0, 1, 0)",
        "INSERT INTO goal (state, metric, starts_on, target, set_by, set_at) "
        f"VALUES ('IA', 'doors', '2026-11-01', 100, 'U1', {at})",
        "INSERT INTO delivery (kind, target, key, status, attempts, claimed_at) "
        f"VALUES ('morning', 'CIOWA', '2026-11-01', 'sent', 1, {at})",
    )
    with engine.begin() as connection:
        for row in rows:
            connection.execute(sa.text(row))
    engine.dispose()


def _version(db_url: str) -> str:
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(version)


def test_a_database_from_one_workspace_is_rekeyed_to_that_workspace(db_url: str) -> None:
    _one_workspace_campaign(db_url)
    upgrade(db_url, team=LEGACY)
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        for table in PER_WORKSPACE:
            teams = connection.execute(sa.text(f"SELECT team_id FROM {table}")).scalars().all()
            assert teams == ["T0LEGACY"], table
        assert connection.execute(sa.text("SELECT team_id, name FROM organization")).all() == [
            ("T0LEGACY", "Legacy Org")
        ]
        # The morning post already sent is still found under its new key: it is not sent again.
        sent = connection.execute(
            sa.text(
                "SELECT status FROM delivery WHERE team_id = 'T0LEGACY' AND kind = 'morning' "
                "AND target = 'CIOWA' AND key = '2026-11-01'"
            )
        ).scalar_one()
        assert sent == "sent"
        # Another workspace's U1 and IA are other rows now, with a channel id of their own.
        connection.execute(
            sa.text(
                "INSERT INTO organization (team_id, name, installed_at, created_at) "
                "VALUES ('T0OTHER', 'Other', '2026-11-02 00:00:00', '2026-11-02 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO state (team_id, code, timezone, channel_id, unclaim_cutoff_minutes, morning_at, "
                "evening_at, day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, created_at) "
                "VALUES ('T0OTHER', 'IA', 'America/Chicago', 'CIOWA', 180, '09:00', '20:00', '11:00', "
                "'08:00', 120, 60, '2026-11-02 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO volunteer (team_id, id, display_name, real_name, is_workspace_admin, home_state, "
                "created_at, profile_updated_at) VALUES ('T0OTHER', 'U1', 'eva', 'Eva', false, 'IA', "
                "'2026-11-02 00:00:00', '2026-11-02 00:00:00')"
            )
        )
        names = connection.execute(sa.text("SELECT team_id, real_name FROM volunteer ORDER BY team_id"))
        assert names.all() == [("T0LEGACY", "Ana"), ("T0OTHER", "Eva")]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:  # a person of no workspace
        connection.execute(
            sa.text(
                "INSERT INTO coordinator (team_id, user_id, state, granted_by, granted_at) "
                "VALUES ('T0NOWHERE', 'U1', 'IA', 'U0', '2026-11-02 00:00:00')"
            )
        )
    engine.dispose()


def test_a_database_with_rows_and_no_workspace_refuses_to_upgrade_and_changes_nothing(db_url: str) -> None:
    _one_workspace_campaign(db_url)
    with pytest.raises(MigrationNeedsWorkspace, match="--team-id T0123ABCD"):
        upgrade(db_url)
    assert _version(db_url) == "0010"
    engine = create_db_engine(db_url)
    columns = {column["name"] for column in sa.inspect(engine).get_columns("volunteer")}
    with engine.connect() as connection:
        organizations = connection.execute(sa.text("SELECT count(*) FROM organization")).scalar_one()
    engine.dispose()
    assert "team_id" not in columns and organizations == 0


def test_an_empty_database_upgrades_without_a_workspace(db_url: str) -> None:
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM organization")).scalar_one() == 0
    engine.dispose()


def test_the_rekeying_goes_back_for_one_workspace_but_not_for_a_coalition(db_url: str) -> None:
    _one_workspace_campaign(db_url)
    upgrade(db_url, team=LEGACY)
    command.downgrade(alembic_config(db_url), "0010")
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT volunteer_id, status FROM signup")).all() == [
            ("U1", "claimed")
        ]
    engine.dispose()
    upgrade(db_url, team=LEGACY)
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO organization (team_id, name, installed_at, created_at) "
                "VALUES ('T0OTHER', 'Other', '2026-11-02 00:00:00', '2026-11-02 00:00:00')"
            )
        )
    engine.dispose()
    with pytest.raises(RuntimeError, match="cannot go back to one workspace"):
        command.downgrade(alembic_config(db_url), "0010")
    # Still rekeyed (PostgreSQL also takes back the later migrations the downgrade undid first).
    assert _version(db_url) > "0010"


def test_turnout_db_upgrade_takes_the_workspace_from_the_admin(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _one_workspace_campaign(db_url)
    monkeypatch.setattr("bot.cli.main.load_dotenv", lambda: None)
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert turnout(["db", "upgrade"]) == 2
    assert "--team-id T0123ABCD" in capsys.readouterr().err and _version(db_url) == "0010"
    assert turnout(["db", "upgrade", "--team-id", "sunrise"]) == 2
    assert "is not a Slack workspace id" in capsys.readouterr().err and _version(db_url) == "0010"
    assert turnout(["db", "upgrade", "--team-id", "T0LEGACY"]) == 0
    assert _version(db_url) == ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT DISTINCT team_id FROM shift")).scalars().all() == [
            "T0LEGACY"
        ]
    engine.dispose()


def test_the_coalition_numbers_migration_fills_each_organization_s_days_and_weeks(db_url: str) -> None:
    """Each organization's days and weeks, filled from the volunteers' rollups, are what the logs
    add up to: a volunteer logging in two states on a day is one active volunteer."""
    upgrade(db_url, "0011")
    engine = create_db_engine(db_url)
    at = "'2026-11-01 12:00:00'"
    logs = [  # team, volunteer, state, local date, doors, convos
        ("T0SUN", "U1", "IA", "2026-11-22", 10, 2),  # Sunday
        ("T0SUN", "U1", "NH", "2026-11-22", 4, 1),
        ("T0SUN", "U2", "IA", "2026-11-23", 7, 0),  # Monday: a new week
        ("T0SUN", "U1", "IA", "2026-11-23", 3, 3),
        ("T0SUN", "U1", "IA", "2026-11-23", 1, 0),
        ("T0MTR", "U1", "IA", "2026-11-23", 20, 5),  # the same user id in another workspace
    ]
    with engine.begin() as connection:
        for team in ("T0SUN", "T0MTR"):
            connection.execute(
                sa.text(
                    f"INSERT INTO organization (team_id, name, installed_at, created_at) VALUES (:t, :t, {at}, {at})"
                ),
                {"t": team},
            )
            for state in ("IA", "NH"):
                connection.execute(
                    sa.text(
                        "INSERT INTO state (team_id, code, timezone, unclaim_cutoff_minutes, morning_at, "
                        "evening_at, day_before_at, weekly_at, reminder_lead_minutes, follow_up_minutes, "
                        f"created_at) VALUES (:t, :s, 'America/Chicago', 180, '09:00', '20:00', '11:00', "
                        f"'08:00', 120, 60, {at})"
                    ),
                    {"t": team, "s": state},
                )
            for user in ("U1", "U2"):
                connection.execute(
                    sa.text(
                        "INSERT INTO volunteer (team_id, id, display_name, real_name, is_workspace_admin, "
                        f"created_at, profile_updated_at) VALUES (:t, :u, :u, '', false, {at}, {at})"
                    ),
                    {"t": team, "u": user},
                )
        days: dict[tuple[str, str, str, str], list[int]] = {}
        weeks: dict[tuple[str, str, str, str], list[int]] = {}
        for team, user, state, day, doors, convos in logs:
            connection.execute(
                sa.text(
                    "INSERT INTO contactlog (team_id, volunteer_id, state, local_date, logged_at, doors, "
                    f"calls, texts, convos, supporters) VALUES (:t, :u, :s, :d, {at}, :doors, 0, 0, :c, 0)"
                ),
                {"t": team, "u": user, "s": state, "d": day, "doors": doors, "c": convos},
            )
            monday = "2026-11-16" if day == "2026-11-22" else "2026-11-23"
            for rows, key in ((days, (team, user, state, day)), (weeks, (team, user, state, monday))):
                row = rows.setdefault(key, [0, 0, 0])
                row[0], row[1], row[2] = row[0] + doors, row[1] + convos, row[2] + 1
        for (team, user, state, day), (doors, convos, n) in days.items():
            connection.execute(
                sa.text(
                    "INSERT INTO contactday (team_id, volunteer_id, state, local_date, logs, doors, calls, "
                    "texts, convos, supporters) VALUES (:t, :u, :s, :d, :n, :doors, 0, 0, :c, 0)"
                ),
                {"t": team, "u": user, "s": state, "d": day, "n": n, "doors": doors, "c": convos},
            )
        for (team, user, state, monday), (doors, convos, n) in weeks.items():
            connection.execute(
                sa.text(
                    "INSERT INTO contactweek (team_id, volunteer_id, state, week_start, contacts, logs, "
                    "doors, calls, texts, convos, supporters) "
                    "VALUES (:t, :u, :s, :w, :contacts, :n, :doors, 0, 0, :c, 0)"
                ),
                {"t": team, "u": user, "s": state, "w": monday, "n": n, "doors": doors, "c": convos}
                | {"contacts": doors + convos},
            )
    engine.dispose()
    upgrade(db_url)
    engine = create_db_engine(db_url)
    with engine.connect() as connection:
        expected, found = recomputed(connection), stored(connection)
    engine.dispose()
    assert found == expected
    days, weeks = found
    assert days["T0SUN", date(2026, 11, 22)] == (14, 0, 0, 3, 0, 2, 1)  # two logs, one volunteer
    assert weeks["T0SUN", date(2026, 11, 23)] == (11, 0, 0, 3, 0, 14, 3, 2)
    assert days["T0MTR", date(2026, 11, 23)] == (20, 0, 0, 5, 0, 1, 1)
    command.downgrade(alembic_config(db_url), "0011")
    engine = create_db_engine(db_url)
    assert not {"orgday", "orgweek", "campaigngoal"} & set(sa.inspect(engine).get_table_names())


def test_the_shared_shifts_migration_keeps_every_shift_unshared_and_goes_back(db_url: str) -> None:
    """0012: every shift stays its organization's own (not shared, no posts elsewhere); going
    back drops the sharing and the other workspaces' posts, and keeps the shifts."""
    _one_workspace_campaign(db_url)
    upgrade(db_url, team=LEGACY)
    command.downgrade(alembic_config(db_url), "0011")
    command.upgrade(alembic_config(db_url), "0012")
    engine = create_db_engine(db_url)
    with engine.begin() as connection:
        assert connection.execute(sa.text("SELECT id, shared_at, shared_by FROM shift")).all() == [
            (1, None, None)
        ]
        connection.execute(sa.text("UPDATE shift SET shared_at = '2026-11-01 12:00:00', shared_by = 'U1'"))
        connection.execute(
            sa.text(
                "INSERT INTO organization (team_id, name, installed_at, created_at) "
                "VALUES ('T0OTHER', 'Other', '2026-11-02 00:00:00', '2026-11-02 00:00:00')"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO shiftpost (team_id, shift_id, channel_id, message_ts) "
                "VALUES ('T0OTHER', 1, 'COTHERIA', '1.000100')"
            )
        )
        # A post in a workspace that is no organization:
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            connection.execute(
                sa.text(
                    "INSERT INTO shiftpost (team_id, shift_id, channel_id, message_ts) "
                    "VALUES ('T0NOBODY', 1, 'CX', '1.000200')"
                )
            )
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0011")
    engine = create_db_engine(db_url)
    assert "shiftpost" not in sa.inspect(engine).get_table_names()
    assert "shared_at" not in {c["name"] for c in sa.inspect(engine).get_columns("shift")}
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT id, team_id FROM shift")).all() == [(1, "T0LEGACY")]
    engine.dispose()
