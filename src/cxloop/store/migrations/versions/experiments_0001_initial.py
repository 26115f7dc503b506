"""experiments: experiments and assignments

Revision ID: experiments_0001
Revises: 0001
Create Date: 2026-11-30 20:50:47.464987
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "experiments_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("experiments",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "experiments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column(
            "filters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("binary", sa.Boolean(), nullable=False),
        sa.Column("better", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column(
            "arms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("stratify_by", sa.String(length=64), nullable=True),
        sa.Column("analysis", sa.String(length=16), nullable=False),
        sa.Column("minimum_effect", sa.Float(), nullable=False),
        sa.Column("per_arm", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("cuped", sa.Boolean(), nullable=False),
        sa.Column("alpha", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiments")),
        sa.UniqueConstraint("key", name=op.f("uq_experiments_key")),
    )
    op.create_table(
        "experiment_assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "experiment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("assigned_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("exposed_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("exposure_channel", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_experiment_assignments_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["experiment_id"],
            ["experiments.id"],
            name=op.f("fk_experiment_assignments_experiment_id_experiments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment_assignments")),
        sa.UniqueConstraint(
            "experiment_id",
            "customer_id",
            name=op.f("uq_experiment_assignments_experiment_id_customer_id"),
        ),
    )
    with op.batch_alter_table("experiment_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_assignments_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_experiment_assignments_experiment_id"), ["experiment_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("experiment_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experiment_assignments_experiment_id"))
        batch_op.drop_index(batch_op.f("ix_experiment_assignments_customer_id"))

    op.drop_table("experiment_assignments")
    op.drop_table("experiments")
