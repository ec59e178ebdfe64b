"""every row knows its workspace: team_id first in every per-workspace table's keys

A database that already holds one workspace's data is rekeyed to that workspace: the team id
comes from Slack (`auth.test`) or `turnout db upgrade --team-id`, handed over in
`Config.attributes["turnout_team"]` (or `-x team_id=T…` for plain alembic). A database with rows
and no team refuses to migrate, having written nothing; an empty one needs no team.

PostgreSQL is altered in place (adding a NOT NULL column with a default is a metadata change,
even on millions of logs); SQLite rebuilds each table (batch mode). The old constraints are found
by their names: PostgreSQL's defaults, which the naming convention below gives SQLite's
unnamed ones too.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import context, op

from bot.db import MigrationNeedsWorkspace

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NC = {
    "pk": "%(table_name)s_pkey",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "uq": "%(table_name)s_%(column_0_name)s_key",
}
TEAM_COLUMN = "team_id"

Columns = tuple[str, ...]


class Index(NamedTuple):
    name: str
    columns: Columns
    unique: bool = False
    where: str | None = None

    def create(self, target: object) -> None:
        kwargs: dict[str, Any] = {}
        if self.where:
            kwargs = {"sqlite_where": sa.text(self.where), "postgresql_where": sa.text(self.where)}
        target.create_index(self.name, list(self.columns), unique=self.unique, **kwargs)  # type: ignore[attr-defined]


class ForeignKey(NamedTuple):
    name: str
    columns: Columns
    table: str
    referred: Columns


class Rekey(NamedTuple):
    """One table's keys before (one workspace) and after (every row knows its workspace)."""

    table: str
    old_pk: Columns | None = None
    new_pk: Columns | None = None
    old_fks: tuple[ForeignKey, ...] = ()
    new_fks: tuple[ForeignKey, ...] = ()
    old_uniques: tuple[tuple[str, Columns], ...] = ()
    new_uniques: tuple[tuple[str, Columns], ...] = ()
    old_indexes: tuple[Index, ...] = ()
    new_indexes: tuple[Index, ...] = ()


def _team(table: str) -> ForeignKey:
    return ForeignKey(f"fk_{table}_team", (TEAM_COLUMN,), "organization", (TEAM_COLUMN,))


def _state(table: str, column: str = "state") -> tuple[ForeignKey, ForeignKey]:
    """(before, after): a state was the campaign's; now it is one workspace's."""
    return (
        ForeignKey(f"{table}_{column}_fkey", (column,), "state", ("code",)),
        ForeignKey(f"fk_{table}_{column}", (TEAM_COLUMN, column), "state", (TEAM_COLUMN, "code")),
    )


def _volunteer(table: str, column: str, old_name: str | None = None) -> tuple[ForeignKey, ForeignKey]:
    return (
        ForeignKey(old_name or f"{table}_{column}_fkey", (column,), "volunteer", ("id",)),
        ForeignKey(f"fk_{table}_{column}", (TEAM_COLUMN, column), "volunteer", (TEAM_COLUMN, "id")),
    )


def _role(table: str) -> Rekey:
    person, state = _volunteer(table, "user_id"), _state(table)
    return Rekey(
        table,
        old_pk=("user_id", "state"),
        new_pk=(TEAM_COLUMN, "user_id", "state"),
        old_fks=(person[0], state[0]),
        new_fks=(person[1], state[1]),
    )


def _plan() -> list[Rekey]:
    """Parents first: every table that points at `state` or `volunteer` is rekeyed here, since a
    parent whose old key is no longer unique breaks every child still pointing at it."""
    home = _state("volunteer", "home_state")
    rule = _state("trainingrule")
    eng_v, eng_s = _volunteer("engagement", "volunteer_id"), _state("engagement")
    shift_s, shift_h = _state("shift"), _volunteer("shift", "host_id", "fk_shift_host_id_volunteer")
    signup_v = _volunteer("signup", "volunteer_id")
    log_v, log_s = _volunteer("contactlog", "volunteer_id"), _state("contactlog")
    day_v, day_s = _volunteer("contactday", "volunteer_id"), _state("contactday")
    week_v, week_s = _volunteer("contactweek", "volunteer_id"), _state("contactweek")
    stateday_s = _state("stateday")
    goal_s = _state("goal")
    t = TEAM_COLUMN

    def engagement_indexes(team: bool) -> tuple[Index, ...]:
        lead = (t,) if team else ()
        return (
            Index(
                "ix_engagement_ready", (*lead, "state", "hosted", "third_last_attended_at", "volunteer_id")
            ),
            Index("ix_engagement_last", (*lead, "state", "hosted", "last_attended_at", "volunteer_id")),
            Index(
                "ix_engagement_new", (*lead, "state", "attended", "hosted", "first_signup_at", "volunteer_id")
            ),
            Index("ix_engagement_no_shows", (*lead, "state", "second_last_no_show_at", "volunteer_id")),
        )

    def goal_indexes(team: bool) -> tuple[Index, ...]:
        lead = (t,) if team else ()
        return (
            Index("uq_goal_dated", (*lead, "state", "metric", "local_date"), True, "local_date IS NOT NULL"),
            Index("uq_goal_standing", (*lead, "state", "metric", "starts_on"), True, "local_date IS NULL"),
        )

    return [
        Rekey(
            "state",
            old_pk=("code",),
            new_pk=(t, "code"),
            new_fks=(_team("state"),),
            old_uniques=(
                ("state_channel_id_key", ("channel_id",)),
                ("uq_state_leads_channel_id", ("leads_channel_id",)),
            ),
            new_uniques=(
                ("uq_state_team_channel", (t, "channel_id")),
                ("uq_state_team_leads_channel", (t, "leads_channel_id")),
            ),
        ),
        Rekey(
            "volunteer",
            old_pk=("id",),
            new_pk=(t, "id"),
            old_fks=(home[0],),
            new_fks=(_team("volunteer"), home[1]),
        ),
        _role("coordinator"),
        _role("trustedhost"),
        _role("trainingrecord"),
        Rekey(
            "trainingrule",
            old_pk=("state", "kind"),
            new_pk=(t, "state", "kind"),
            old_fks=(rule[0],),
            new_fks=(rule[1],),
        ),
        Rekey(
            "engagement",
            old_pk=("volunteer_id", "state"),
            new_pk=(t, "volunteer_id", "state"),
            old_fks=(eng_v[0], eng_s[0]),
            new_fks=(eng_v[1], eng_s[1]),
            old_indexes=engagement_indexes(False),
            new_indexes=engagement_indexes(True),
        ),
        Rekey(
            "shift",
            old_fks=(shift_s[0], shift_h[0]),
            new_fks=(_team("shift"), shift_s[1], shift_h[1]),
            old_indexes=(Index("ix_shift_host", ("host_id", "starts_at")),),
            new_indexes=(
                Index("ix_shift_host", (t, "host_id", "starts_at")),
                Index("ix_shift_team_state_starts", (t, "state", "starts_at")),
            ),
        ),
        Rekey(
            "signup",
            old_fks=(signup_v[0],),
            new_fks=(signup_v[1],),
            old_uniques=(("uq_signup_shift_volunteer", ("shift_id", "volunteer_id")),),
            new_uniques=(("uq_signup_shift_volunteer", ("shift_id", t, "volunteer_id")),),
            old_indexes=(Index("ix_signup_volunteer_status", ("volunteer_id", "status")),),
            new_indexes=(Index("ix_signup_volunteer_status", (t, "volunteer_id", "status")),),
        ),
        Rekey(
            "contactlog",
            old_fks=(log_v[0], log_s[0]),
            new_fks=(log_v[1], log_s[1]),
            old_indexes=(
                Index("ix_contactlog_state_date", ("state", "local_date")),
                Index("ix_contactlog_volunteer_logged", ("volunteer_id", "logged_at")),
            ),
            new_indexes=(
                Index("ix_contactlog_state_date", (t, "state", "local_date")),
                Index("ix_contactlog_volunteer_logged", (t, "volunteer_id", "logged_at")),
            ),
        ),
        Rekey(
            "contactday",
            old_pk=("volunteer_id", "state", "local_date"),
            new_pk=(t, "volunteer_id", "state", "local_date"),
            old_fks=(day_v[0], day_s[0]),
            new_fks=(day_v[1], day_s[1]),
            old_indexes=(
                Index("ix_contactday_state_date", ("state", "local_date")),
                Index("ix_contactday_volunteer_date", ("volunteer_id", "local_date")),
            ),
            new_indexes=(
                Index("ix_contactday_state_date", (t, "state", "local_date")),
                Index("ix_contactday_volunteer_date", (t, "volunteer_id", "local_date")),
            ),
        ),
        Rekey(
            "contactweek",
            old_pk=("volunteer_id", "state", "week_start"),
            new_pk=(t, "volunteer_id", "state", "week_start"),
            old_fks=(week_v[0], week_s[0]),
            new_fks=(week_v[1], week_s[1]),
            old_indexes=(Index("ix_contactweek_board", ("state", "week_start", "contacts", "volunteer_id")),),
            new_indexes=(
                Index("ix_contactweek_board", (t, "state", "week_start", "contacts", "volunteer_id")),
            ),
        ),
        Rekey(
            "stateday",
            old_pk=("state", "local_date", "shard"),
            new_pk=(t, "state", "local_date", "shard"),
            old_fks=(stateday_s[0],),
            new_fks=(stateday_s[1],),
        ),
        Rekey(
            "goal",
            old_fks=(goal_s[0],),
            new_fks=(goal_s[1],),
            old_indexes=goal_indexes(False),
            new_indexes=goal_indexes(True),
        ),
        Rekey(
            "delivery",
            new_fks=(_team("delivery"),),
            old_uniques=(("uq_delivery_kind_target_key", ("kind", "target", "key")),),
            new_uniques=(("uq_delivery_team_kind_target_key", (t, "kind", "target", "key")),),
            new_indexes=(Index("ix_delivery_team_owed", (t, "status", "next_attempt_at")),),
        ),
    ]


def _given_team() -> tuple[str, str] | None:
    """(team id, name) of the workspace this database's rows belong to, if the caller knows it."""
    given = context.config.attributes.get("turnout_team")
    if given is not None:
        return str(given.team_id), str(getattr(given, "name", "") or "")
    team_id = context.get_x_argument(as_dictionary=True).get("team_id")
    return (team_id, "") if team_id else None


def _has_rows(bind: sa.Connection) -> bool:
    return any(
        bind.execute(sa.text(f"SELECT 1 FROM {rekey.table} LIMIT 1")).first() is not None for rekey in _plan()
    )


def upgrade() -> None:
    bind = op.get_bind()
    team = _given_team()
    if team is None and _has_rows(bind):
        raise MigrationNeedsWorkspace()
    if team is not None:
        _ensure_organization(bind, *team)
    default = team[0] if team else None
    plan = _plan()
    if bind.dialect.name == "sqlite":
        for rekey in plan:
            _rebuild(rekey, forward=True, default=default)
        if default is not None:
            for rekey in plan:  # the team was only a default for the rows already there
                with op.batch_alter_table(rekey.table, recreate="always") as batch:
                    batch.alter_column(TEAM_COLUMN, server_default=None)
        return
    for rekey in plan:
        for fk in rekey.old_fks:
            op.drop_constraint(fk.name, rekey.table, type_="foreignkey")
    for rekey in plan:
        op.add_column(
            rekey.table,
            sa.Column(TEAM_COLUMN, sa.String(length=32), nullable=False, server_default=default),
        )
        if default is not None:
            op.alter_column(rekey.table, TEAM_COLUMN, server_default=None)
        _swap_keys(op, rekey, forward=True)
    for rekey in plan:
        for fk in rekey.new_fks:
            op.create_foreign_key(fk.name, rekey.table, fk.table, list(fk.columns), list(fk.referred))


def downgrade() -> None:
    bind = op.get_bind()
    teams = bind.execute(sa.text("SELECT count(*) FROM organization")).scalar_one()
    if teams > 1:
        raise RuntimeError(
            "This database serves a coalition of several workspaces; it cannot go back to one workspace."
        )
    plan = list(reversed(_plan()))
    if bind.dialect.name == "sqlite":
        for rekey in plan:
            _rebuild(rekey, forward=False, default=None)
        return
    for rekey in plan:
        for fk in rekey.new_fks:
            op.drop_constraint(fk.name, rekey.table, type_="foreignkey")
    for rekey in plan:
        _swap_keys(op, rekey, forward=False)
        op.drop_column(rekey.table, TEAM_COLUMN)
    for rekey in reversed(plan):
        for fk in rekey.old_fks:
            op.create_foreign_key(fk.name, rekey.table, fk.table, list(fk.columns), list(fk.referred))


def _swap_keys(target: object, rekey: Rekey, *, forward: bool) -> None:
    """Drop one side's primary key, uniques and indexes and create the other's (`target` is
    `op`, or a batch on SQLite, whose methods take no table name)."""
    batch = target is not op
    table = () if batch else (rekey.table,)
    pk_from, pk_to = (rekey.old_pk, rekey.new_pk) if forward else (rekey.new_pk, rekey.old_pk)
    uq_from, uq_to = (
        (rekey.old_uniques, rekey.new_uniques) if forward else (rekey.new_uniques, rekey.old_uniques)
    )
    ix_from, ix_to = (
        (rekey.old_indexes, rekey.new_indexes) if forward else (rekey.new_indexes, rekey.old_indexes)
    )
    for name, _columns in uq_from:
        target.drop_constraint(name, *table, type_="unique")  # type: ignore[attr-defined]
    for index in ix_from:
        if batch:
            target.drop_index(index.name)  # type: ignore[attr-defined]
        else:
            op.drop_index(index.name, table_name=rekey.table)
    if pk_from is not None and pk_to is not None:
        target.drop_constraint(f"{rekey.table}_pkey", *table, type_="primary")  # type: ignore[attr-defined]
        target.create_primary_key(f"{rekey.table}_pkey", *table, list(pk_to))  # type: ignore[attr-defined]
    for name, columns in uq_to:
        target.create_unique_constraint(name, *table, list(columns))  # type: ignore[attr-defined]
    for index in ix_to:
        if batch:
            index.create(target)
        else:
            kwargs: dict[str, Any] = {}
            if index.where:
                kwargs = {"sqlite_where": sa.text(index.where), "postgresql_where": sa.text(index.where)}
            op.create_index(index.name, rekey.table, list(index.columns), unique=index.unique, **kwargs)


def _rebuild(rekey: Rekey, *, forward: bool, default: str | None) -> None:
    """SQLite: the table rebuilt once with its new keys (foreign keys are off meanwhile, and
    checked when the migration ends)."""
    with op.batch_alter_table(rekey.table, recreate="always", naming_convention=NC) as batch:
        fk_from, fk_to = (rekey.old_fks, rekey.new_fks) if forward else (rekey.new_fks, rekey.old_fks)
        for fk in fk_from:
            batch.drop_constraint(fk.name, type_="foreignkey")
        if forward:
            batch.add_column(
                sa.Column(TEAM_COLUMN, sa.String(length=32), nullable=False, server_default=default)
            )
        _swap_keys(batch, rekey, forward=forward)
        if not forward:
            batch.drop_column(TEAM_COLUMN)
        for fk in fk_to:
            batch.create_foreign_key(fk.name, fk.table, list(fk.columns), list(fk.referred))


def _ensure_organization(bind: sa.Connection, team_id: str, name: str) -> None:
    """The workspace the existing rows belong to is the coalition's first organization."""
    if bind.execute(sa.text("SELECT 1 FROM organization WHERE team_id = :t"), {"t": team_id}).first():
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    bind.execute(
        sa.text(
            "INSERT INTO organization (team_id, name, installed_at, created_at) VALUES (:t, :n, :now, :now)"
        ),
        {"t": team_id, "n": name[:120], "now": now},
    )
