"""insights: the outbox of alert and report messages whose sending failed, retried with
back-off

Revision ID: insights_0002
Revises: insights_0001
Create Date: 2026-12-03 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "insights_0002"
down_revision: str | None = "insights_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MOMENT = cxloop.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "insight_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT, nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_deliveries")),
        sa.UniqueConstraint(
            "subject",
            "owner_id",
            "group_key",
            "period",
            "channel",
            name="uq_insight_deliveries_once",
        ),
    )
    op.create_index(
        "ix_insight_deliveries_due", "insight_deliveries", ["status", "next_attempt_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_insight_deliveries_due", table_name="insight_deliveries")
    op.drop_table("insight_deliveries")
