"""shared shifts: a shift shared with the coalition, and its living post in each other workspace

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shift") as batch:
        batch.add_column(sa.Column("shared_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("shared_by", sa.String(length=32), nullable=True))
    op.create_table(
        "shiftpost",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["shift_id"], ["shift.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["organization.team_id"], name="fk_shiftpost_team"),
        sa.PrimaryKeyConstraint("team_id", "shift_id"),
    )


def downgrade() -> None:
    op.drop_table("shiftpost")
    with op.batch_alter_table("shift") as batch:
        batch.drop_column("shared_by")
        batch.drop_column("shared_at")
