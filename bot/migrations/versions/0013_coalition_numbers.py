"""coalition numbers: each organization's day and week, and the campaign's one goal

`orgday` and `orgweek` are filled from the volunteers' day and week rollups (`contactday`,
`contactweek`), all in shard 0 like 0009's state days: the sums are the same, and new logs
spread over the shards. An organization's active volunteers on a day (or in a week) are those
with a row that day (week) in any state, each counted once.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = ("doors", "calls", "texts", "convos", "supporters")


def _counts(*names: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "orgday",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        *_counts(*METRICS, "logs", "active"),
        sa.ForeignKeyConstraint(["team_id"], ["organization.team_id"], name="fk_orgday_team"),
        sa.PrimaryKeyConstraint("team_id", "local_date", "shard"),
    )
    op.create_table(
        "orgweek",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        *_counts(*METRICS, "contacts", "logs", "active"),
        sa.ForeignKeyConstraint(["team_id"], ["organization.team_id"], name="fk_orgweek_team"),
        sa.PrimaryKeyConstraint("team_id", "week_start", "shard"),
    )
    op.create_index("ix_orgday_date", "orgday", ["local_date", "team_id"])
    op.create_index("ix_orgweek_week", "orgweek", ["week_start", "team_id"])
    op.create_table(
        "campaigngoal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("by_date", sa.Date(), nullable=True),
        sa.Column("set_by_team", sa.String(length=32), nullable=False),
        sa.Column("set_by_user", sa.String(length=32), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    sums = ", ".join(f"sum({name})" for name in METRICS)
    columns = ", ".join(METRICS)
    op.execute(
        f"INSERT INTO orgday (team_id, local_date, shard, {columns}, logs, active) "
        f"SELECT team_id, local_date, 0, {sums}, sum(logs), count(DISTINCT volunteer_id) "
        "FROM contactday GROUP BY team_id, local_date"
    )
    op.execute(
        f"INSERT INTO orgweek (team_id, week_start, shard, {columns}, contacts, logs, active) "
        f"SELECT team_id, week_start, 0, {sums}, sum(contacts), sum(logs), count(DISTINCT volunteer_id) "
        "FROM contactweek GROUP BY team_id, week_start"
    )


def downgrade() -> None:
    op.drop_table("campaigngoal")
    op.drop_index("ix_orgweek_week", table_name="orgweek")
    op.drop_table("orgweek")
    op.drop_index("ix_orgday_date", table_name="orgday")
    op.drop_table("orgday")
