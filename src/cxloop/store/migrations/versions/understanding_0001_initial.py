"""understanding: enrichments of interaction texts, and the topic taxonomy

Revision ID: understanding_0001
Revises: 0001
Create Date: 2026-11-23 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "understanding_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("understanding",)
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("examples", _json(), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["topics.id"],
            name=op.f("fk_topics_parent_id_topics"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    op.create_table(
        "enrichments",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("interaction_id", BIG_ID, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("language_confidence", sa.Float(), nullable=True),
        sa.Column("redacted", sa.Text(), nullable=False),
        sa.Column("pii", _json(), nullable=False),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.String(length=16), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("emotion", sa.String(length=32), nullable=True),
        sa.Column("emotions", _json(), nullable=False),
        sa.Column("intent", sa.String(length=200), nullable=True),
        sa.Column("intent_confidence", sa.Float(), nullable=True),
        sa.Column("topics", _json(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("signals", _json(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("model_versions", _json(), nullable=False),
        sa.Column("versions_key", sa.String(length=64), nullable=False),
        sa.Column("enriched_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_enrichments_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrichments")),
        sa.UniqueConstraint("interaction_id", name=op.f("uq_enrichments_interaction_id")),
    )
    op.create_index("ix_enrichments_versions_key", "enrichments", ["versions_key"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_enrichments_versions_key", table_name="enrichments")
    op.drop_table("enrichments")
    op.drop_table("topics")
