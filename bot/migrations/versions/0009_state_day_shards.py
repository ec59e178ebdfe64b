"""state day shards: a state's day kept in several rows, so concurrent logs do not queue on one

Revision ID: 0009
Revises: 0008_languages
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("doors", "calls", "texts", "convos", "supporters", "logs", "active")


def _create(name: str, *, sharded: bool) -> None:
    key = ("state", "local_date", "shard") if sharded else ("state", "local_date")
    shard = [sa.Column("shard", sa.Integer(), server_default="0", nullable=False)] if sharded else []
    op.create_table(
        name,
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        *shard,
        *(sa.Column(column, sa.Integer(), nullable=False) for column in COUNTS),
        sa.ForeignKeyConstraint(["state"], ["state.code"]),
        sa.PrimaryKeyConstraint(*key),
    )


def _replace(*, sharded: bool, rows: str) -> None:
    """A new stateday filled by `rows` (a SELECT from the old one) takes the old one's place."""
    _create("stateday_new", sharded=sharded)
    columns = ", ".join(("state", "local_date", *(("shard",) if sharded else ()), *COUNTS))
    op.execute(f"INSERT INTO stateday_new ({columns}) {rows}")
    op.drop_table("stateday")
    op.rename_table("stateday_new", "stateday")
    if op.get_bind().dialect.name == "postgresql":  # the names PostgreSQL gives a new stateday
        op.execute("ALTER TABLE stateday RENAME CONSTRAINT stateday_new_pkey TO stateday_pkey")
        op.execute("ALTER TABLE stateday RENAME CONSTRAINT stateday_new_state_fkey TO stateday_state_fkey")


def upgrade() -> None:
    # Every day so far is shard 0: the sums are the same, new logs spread over the shards.
    _replace(sharded=True, rows=f"SELECT state, local_date, 0, {', '.join(COUNTS)} FROM stateday")


def downgrade() -> None:
    sums = ", ".join(f"sum({column})" for column in COUNTS)
    _replace(sharded=False, rows=f"SELECT state, local_date, {sums} FROM stateday GROUP BY state, local_date")
