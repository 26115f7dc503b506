"""cases: business minutes to first response and to resolution, fixed when each clock stops

Revision ID: cases_0002
Revises: cases_0001
Create Date: 2026-11-30 21:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "cases_0002"
down_revision: str | None = "cases_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_response_business_minutes", sa.Integer(), nullable=True)
        )
        batch_op.add_column(sa.Column("resolution_business_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("resolution_business_minutes")
        batch_op.drop_column("first_response_business_minutes")
