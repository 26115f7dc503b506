"""cases: cases, rules, SLAs, calendars, messages, problems

Revision ID: cases_0001
Revises: 0001
Create Date: 2026-11-30 19:50:08.118613
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import cxloop.store.base

revision: str = "cases_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("cases",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "conditions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_rules")),
    )
    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.Column("announcement", sa.Text(), nullable=False),
        sa.Column("announced_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fixed_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
    )
    op.create_table(
        "reply_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_templates")),
        sa.UniqueConstraint("key", "language", name=op.f("uq_reply_templates_key_language")),
    )
    op.create_table(
        "agent_profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "languages",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "skills",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agent_profiles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_agent_profiles")),
    )
    op.create_table(
        "business_calendars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "hours",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("holiday_country", sa.String(length=8), nullable=True),
        sa.Column("holiday_subdivision", sa.String(length=16), nullable=True),
        sa.Column(
            "closed_dates",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_business_calendars_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_calendars")),
        sa.UniqueConstraint("department_id", name=op.f("uq_business_calendars_department_id")),
    )
    op.create_table(
        "department_setups",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("assignment", sa.String(length=16), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("last_assignee_id", sa.Integer(), nullable=True),
        sa.Column("notify_webhook_url", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_setups_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["users.id"],
            name=op.f("fk_department_setups_lead_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("department_id", name=op.f("pk_department_setups")),
    )
    op.create_table(
        "routing_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "conditions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_routing_rules_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_rules")),
    )
    op.create_table(
        "sla_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.String(length=8), nullable=True),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("warn_before_minutes", sa.Integer(), nullable=False),
        sa.Column("escalate_to_user_id", sa.Integer(), nullable=True),
        sa.Column("escalate_to_department_id", sa.Integer(), nullable=True),
        sa.Column("escalate_priority", sa.String(length=8), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_sla_policies_department_id_departments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["escalate_to_department_id"],
            ["departments.id"],
            name=op.f("fk_sla_policies_escalate_to_department_id_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["escalate_to_user_id"],
            ["users.id"],
            name=op.f("fk_sla_policies_escalate_to_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_policies")),
        sa.UniqueConstraint(
            "department_id", "priority", name=op.f("uq_sla_policies_department_id_priority")
        ),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column(
            "tags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column(
            "routing",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reply_token", sa.String(length=32), nullable=False),
        sa.Column("sla_policy_id", sa.Integer(), nullable=True),
        sa.Column(
            "first_response_due", cxloop.store.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("resolution_due", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "first_responded_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("paused_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paused_minutes", sa.Float(), nullable=False),
        sa.Column("first_response_warned", sa.Boolean(), nullable=False),
        sa.Column("first_response_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_warned", sa.Boolean(), nullable=False),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("solved_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column(
            "merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("followup_invitation_id", sa.Integer(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["users.id"],
            name=op.f("fk_cases_assignee_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_cases_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["departments.id"], name=op.f("fk_cases_department_id_departments")
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["cases.id"], name=op.f("fk_cases_merged_into_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_cases_problem_id_problems"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sla_policy_id"],
            ["sla_policies.id"],
            name=op.f("fk_cases_sla_policy_id_sla_policies"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reply_token", name=op.f("uq_cases_reply_token")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_problem_id"), ["problem_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_followup_invitation_id"), ["followup_invitation_id"], unique=False
        )
        batch_op.create_index(
            "ix_cases_queue", ["department_id", "status", "resolution_due", "id"], unique=False
        )
        batch_op.create_index("ix_cases_status_due", ["status", "first_response_due"], unique=False)

    op.create_table(
        "case_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_case_events_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_events")),
    )
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.create_index("ix_case_events_case", ["case_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_events_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "case_links",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("linked_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_links_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_case_links_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "interaction_id", name=op.f("pk_case_links")),
    )
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_links_interaction_id"), ["interaction_id"], unique=False
        )

    op.create_table(
        "case_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "interaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("email_message_id", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", cxloop.store.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_case_messages_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_messages_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_case_messages_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_messages")),
        sa.UniqueConstraint("email_message_id", name=op.f("uq_case_messages_email_message_id")),
    )
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.create_index("ix_case_messages_case", ["case_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_case_messages_case")

    op.drop_table("case_messages")
    with op.batch_alter_table("case_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_links_interaction_id"))

    op.drop_table("case_links")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_events_customer_id"))
        batch_op.drop_index("ix_case_events_case")

    op.drop_table("case_events")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_due")
        batch_op.drop_index("ix_cases_queue")
        batch_op.drop_index(batch_op.f("ix_cases_followup_invitation_id"))
        batch_op.drop_index(batch_op.f("ix_cases_problem_id"))
        batch_op.drop_index(batch_op.f("ix_cases_customer_id"))
        batch_op.drop_index(batch_op.f("ix_cases_assignee_id"))

    op.drop_table("cases")
    op.drop_table("sla_policies")
    op.drop_table("routing_rules")
    op.drop_table("department_setups")
    op.drop_table("business_calendars")
    op.drop_table("agent_profiles")
    op.drop_table("reply_templates")
    op.drop_table("problems")
    op.drop_table("case_rules")
