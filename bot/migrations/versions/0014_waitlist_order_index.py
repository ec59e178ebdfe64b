"""the waitlist's order in an index: a claim reads a shift's last place in line without
visiting its rows, however many wait

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_signup_shift_seq", "signup", ["shift_id", "waitlist_seq"])


def downgrade() -> None:
    op.drop_index("ix_signup_shift_seq", table_name="signup")
