"""privacy: mark interactions and survey responses once anonymized

An erasure and a retention policy anonymize through one function per kind; the mark keeps
later retention runs from counting or rewriting the same rows again.

Revision ID: privacy_0003
Revises: privacy_0002
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cxloop.store.base

revision: str = "privacy_0003"
down_revision: str | None = "privacy_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("surveys_0001",)

TABLES = ("interactions", "survey_responses")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("anonymized_at", cxloop.store.base.UTCDateTime(), nullable=True)
            )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("anonymized_at")
