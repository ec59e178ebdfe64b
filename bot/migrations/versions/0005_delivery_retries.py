"""delivery retries: what to resend, when, until when, and in which order

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.models import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.add_column(sa.Column("shift_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("created_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("next_attempt_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_delivery_shift_id", ["shift_id"], unique=False)
        batch.create_index("ix_delivery_next_attempt_at", ["next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.drop_index("ix_delivery_next_attempt_at")
        batch.drop_index("ix_delivery_shift_id")
        batch.drop_column("expires_at")
        batch.drop_column("next_attempt_at")
        batch.drop_column("created_at")
        batch.drop_column("shift_id")
        batch.drop_column("payload")
