"""standing goals start on a local date

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch_op.drop_index("uq_goal_standing")
        batch_op.create_index(
            "uq_goal_standing",
            ["state", "metric", "starts_on"],
            unique=True,
            sqlite_where=sa.text("local_date IS NULL"),
            postgresql_where=sa.text("local_date IS NULL"),
        )
    backfill(op.get_bind())


GOAL = sa.table(
    "goal",
    sa.column("id", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("local_date", sa.Date()),
    sa.column("starts_on", sa.Date()),
    sa.column("set_at", sa.DateTime()),
)
STATE = sa.table("state", sa.column("code", sa.String()), sa.column("timezone", sa.String()))


def backfill(bind: sa.Connection) -> None:
    """A standing goal set before this change starts on the local day it was set (its `set_at`,
    stored in UTC, read in the state's zone): from then on it held, and no earlier day had it."""
    rows = bind.execute(
        sa.select(GOAL.c.id, GOAL.c.set_at, STATE.c.timezone)
        .join(STATE, STATE.c.code == GOAL.c.state)
        .where(GOAL.c.local_date.is_(None))
    ).all()
    for goal_id, set_at, timezone in rows:
        local = set_at.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone)).date()
        bind.execute(sa.update(GOAL).where(GOAL.c.id == goal_id).values(starts_on=local))


def downgrade() -> None:
    # Keeps only the latest standing goal per metric, as the old schema allows one.
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "DELETE FROM goal WHERE local_date IS NULL AND EXISTS (SELECT 1 FROM goal AS later "
            "WHERE later.local_date IS NULL AND later.state = goal.state AND later.metric = goal.metric "
            "AND later.starts_on > goal.starts_on)"
        )
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index("uq_goal_standing")
        batch_op.create_index(
            "uq_goal_standing",
            ["state", "metric"],
            unique=True,
            sqlite_where=sa.text("local_date IS NULL"),
            postgresql_where=sa.text("local_date IS NULL"),
        )
        batch_op.drop_column("starts_on")
