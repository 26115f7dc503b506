"""cases: when each message's delivery last changed state, for the delivery sweep

Revision ID: cases_0003
Revises: cases_0002
Create Date: 2026-11-30 21:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cxloop.store.base

revision: str = "cases_0003"
down_revision: str | None = "cases_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True)
        )
    # Existing messages last changed no later than they were sent, or made.
    op.execute("UPDATE case_messages SET updated_at = COALESCE(sent_at, created_at)")
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.alter_column(
            "updated_at",
            existing_type=cxloop.store.base.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.create_index("ix_case_messages_status", ["status", "updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_case_messages_status")
        batch_op.drop_column("updated_at")
