"""insights: alert rules, metric reports and the record of what was sent

Revision ID: insights_0001
Revises: 0001
Create Date: 2026-12-02 15:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "insights_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("insights",)
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=True),
        sa.Column("by", JSON, nullable=False),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("user_ids", JSON, nullable=False),
        sa.Column("addresses", JSON, nullable=False),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("webhook_format", sa.String(length=16), nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rules")),
        sa.UniqueConstraint("name", name=op.f("uq_alert_rules_name")),
    )
    op.create_table(
        "metric_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("metrics", JSON, nullable=False),
        sa.Column("frequency", sa.String(length=8), nullable=False),
        sa.Column("user_ids", JSON, nullable=False),
        sa.Column("addresses", JSON, nullable=False),
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_reports")),
        sa.UniqueConstraint("name", name=op.f("uq_metric_reports_name")),
    )
    op.create_table(
        "insight_dispatches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=500), nullable=False),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sent_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_dispatches")),
        sa.UniqueConstraint(
            "subject",
            "owner_id",
            "group_key",
            "period",
            "channel",
            name="uq_insight_dispatches_once",
        ),
    )


def downgrade() -> None:
    op.drop_table("insight_dispatches")
    op.drop_table("metric_reports")
    op.drop_table("alert_rules")
