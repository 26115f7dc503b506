"""proactive: detraction scores beside churn scores, and playbooks that act on them

Revision ID: proactive_0002
Revises: proactive_0001
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "proactive_0002"
down_revision: str | None = "proactive_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "detraction_scores",
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("risk", sa.Float(), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("model_version", sa.String(length=64), nullable=False),
        sa.Column("scored_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_detraction_scores_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_detraction_scores")),
    )
    with op.batch_alter_table("detraction_scores", schema=None) as batch_op:
        batch_op.create_index("ix_detraction_scores_risk", ["risk"], unique=False)
    with op.batch_alter_table("playbooks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("min_detraction", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("playbooks", schema=None) as batch_op:
        batch_op.drop_column("min_detraction")
    with op.batch_alter_table("detraction_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_detraction_scores_risk")
    op.drop_table("detraction_scores")
