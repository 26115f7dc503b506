"""cases: a covering index for the queue's counts

Revision ID: cases_0004
Revises: cases_0003
Create Date: 2026-11-30 22:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "cases_0004"
down_revision: str | None = "cases_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "status",
    "department_id",
    "assignee_id",
    "first_responded_at",
    "first_response_due",
    "resolution_due",
    "paused_at",
]


def upgrade() -> None:
    op.create_index("ix_cases_counts", "cases", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_counts", table_name="cases")
