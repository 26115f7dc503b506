"""cases: an index on updated_at, so the queue's counts know cheaply whether any case changed

Revision ID: cases_0005
Revises: cases_0004
Create Date: 2026-12-02 15:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "cases_0005"
down_revision: str | None = "cases_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_updated", "cases", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_updated", table_name="cases")
