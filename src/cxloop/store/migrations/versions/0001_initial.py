"""initial schema: accounts, customers, interactions

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:58:20.103302
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "channels",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_channels")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column(
            "traits",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["customers.id"], name=op.f("fk_customers_merged_into_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customers_merged_into_id"), ["merged_into_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)

    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("slug", name=op.f("uq_departments_slug")),
    )
    op.create_table(
        "journey_stages",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_journey_stages")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("write_key_prefix", sa.String(length=32), nullable=False),
        sa.Column("write_key_hash", sa.String(length=200), nullable=False),
        sa.Column("default_channel", sa.String(length=32), nullable=True),
        sa.Column("default_stage", sa.String(length=32), nullable=True),
        sa.Column(
            "stage_rules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "mapping",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
        sa.UniqueConstraint("write_key_prefix", name=op.f("uq_sources_write_key_prefix")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_tokens_prefix")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "customer_merges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "winner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("loser_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("interactions_moved", sa.Integer(), nullable=False),
        sa.Column("identities_moved", sa.Integer(), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loser_id"], ["customers.id"], name=op.f("fk_customer_merges_loser_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["winner_id"], ["customers.id"], name=op.f("fk_customer_merges_winner_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_merges_loser_id"), ["loser_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_customer_merges_winner_id"), ["winner_id"], unique=False
        )

    op.create_table(
        "identities",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("namespace", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_identities_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint(
            "kind", "namespace", "value", name=op.f("uq_identities_kind_namespace_value")
        ),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identities_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index("ix_identities_value", ["value"], unique=False)

    op.create_table(
        "interactions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=True),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("received_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column(
            "properties",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_interactions_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_interactions_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_interactions_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
        sa.UniqueConstraint("message_id", name=op.f("uq_interactions_message_id")),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_interactions_timeline", ["customer_id", "occurred_at", "id"], unique=False
        )

    op.create_table(
        "user_departments",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_user_departments_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_departments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "department_id", name=op.f("pk_user_departments")),
    )

    _seed_channels_and_stages()


CHANNELS = {
    "web": ("Web", False),
    "app": ("App", False),
    "email": ("Email", True),
    "phone": ("Phone", True),
    "chat": ("Chat", True),
    "sms": ("SMS", False),
    "social": ("Social", False),
    "review": ("Review", False),
    "store": ("Store", True),
    "survey": ("Survey", False),
    "field": ("Field service", True),
}
STAGES = [
    "awareness",
    "consideration",
    "purchase",
    "delivery",
    "onboarding",
    "usage",
    "support",
    "renewal",
    "referral",
    "termination",
]


def _seed_channels_and_stages() -> None:
    """The default channels and journey stages; companies edit them afterwards."""
    channels = sa.table("channels", sa.column("key"), sa.column("name"), sa.column("assisted"))
    op.bulk_insert(
        channels,
        [{"key": k, "name": n, "assisted": a} for k, (n, a) in CHANNELS.items()],
    )
    stages = sa.table("journey_stages", sa.column("key"), sa.column("name"), sa.column("position"))
    op.bulk_insert(
        stages,
        [{"key": k, "name": k.capitalize(), "position": i} for i, k in enumerate(STAGES)],
    )


def downgrade() -> None:

    op.drop_table("user_departments")
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_timeline")

    op.drop_table("interactions")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_value")
        batch_op.drop_index(batch_op.f("ix_identities_customer_id"))

    op.drop_table("identities")
    with op.batch_alter_table("customer_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_merges_winner_id"))
        batch_op.drop_index(batch_op.f("ix_customer_merges_loser_id"))

    op.drop_table("customer_merges")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("sources")
    op.drop_table("journey_stages")
    op.drop_table("departments")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone"))
        batch_op.drop_index(batch_op.f("ix_customers_merged_into_id"))
        batch_op.drop_index(batch_op.f("ix_customers_email"))

    op.drop_table("customers")
    op.drop_table("channels")
