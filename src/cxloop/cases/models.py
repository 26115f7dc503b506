"""What the cases domain stores: cases and their history, the rules that open and route them,
SLA policies and business calendars, agents' skills, reply templates, messages and problems.

A case's history is an append-only list of :class:`CaseEvent`; the columns of :class:`Case`
are the current state that queues and SLA timers read with one indexed query.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId, JSONColumn
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class CaseStatus(enum.StrEnum):
    new = "new"
    open = "open"
    waiting = "waiting"
    """Waiting on the customer: the resolution clock is paused."""
    solved = "solved"
    closed = "closed"
    reopened = "reopened"


ACTIVE_STATUSES = frozenset(
    {CaseStatus.new, CaseStatus.open, CaseStatus.waiting, CaseStatus.reopened}
)


class Priority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


PRIORITY_RANK = {Priority.low: 0, Priority.normal: 1, Priority.high: 2, Priority.urgent: 3}
TRIAGE = "triage"
"""The queue of cases no rule or model could place with confidence."""


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.new.value)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.normal.value)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    queue: Mapped[str] = mapped_column(String(64), default="")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    channel: Mapped[str] = mapped_column(String(32), default="email")
    """Where the customer spoke, so where the answer goes."""
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    tags: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    origin: Mapped[str] = mapped_column(String(16), default="manual")
    rule_id: Mapped[int | None] = mapped_column(default=None)
    routing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """How the case reached its department: the rule, or the router's label and confidence."""
    reply_token: Mapped[str] = mapped_column(String(32), unique=True)
    """Names the case in reply addresses and Message-IDs, so replies thread onto it."""
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), default=None
    )
    first_response_due: Mapped[datetime | None] = mapped_column(default=None)
    resolution_due: Mapped[datetime | None] = mapped_column(default=None)
    first_responded_at: Mapped[datetime | None] = mapped_column(default=None)
    paused_at: Mapped[datetime | None] = mapped_column(default=None)
    """Since when the resolution clock stands still (waiting on the customer, or solved)."""
    paused_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    """Business minutes the resolution clock stood still so far; the deadline moves by them."""
    first_response_warned: Mapped[bool] = mapped_column(default=False)
    first_response_breached: Mapped[bool] = mapped_column(default=False)
    resolution_warned: Mapped[bool] = mapped_column(default=False)
    resolution_breached: Mapped[bool] = mapped_column(default=False)
    first_response_business_minutes: Mapped[int | None] = mapped_column(default=None)
    """Business minutes from opening to the first answer, on the department's calendar:
    fixed when the clock stops, so metrics never redo calendar arithmetic."""
    resolution_business_minutes: Mapped[int | None] = mapped_column(default=None)
    """Business minutes the resolution clock ran until the case was (last) solved, less
    the time it stood still waiting on the customer; None while unsolved."""
    solved_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    reopen_count: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    followup_invitation_id: Mapped[int | None] = mapped_column(default=None, index=True)
    """The "was this solved?" survey invitation sent when the case was last solved."""
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# The queue read: a department's cases in one status, soonest deadline first.
Index("ix_cases_queue", Case.department_id, Case.status, Case.resolution_due, Case.id)
# The SLA timer's read: active cases with a deadline, by deadline.
Index("ix_cases_status_due", Case.status, Case.first_response_due)
# The queue's counts: every column they read, so counting never touches the table.
Index(
    "ix_cases_counts",
    Case.status,
    Case.department_id,
    Case.assignee_id,
    Case.first_responded_at,
    Case.first_response_due,
    Case.resolution_due,
    Case.paused_at,
)
# Whether any case changed since the counts were taken: the newest update, in one seek.
Index("ix_cases_updated", Case.updated_at)


class CaseEvent(Base):
    """One change to a case, in order; also what the customer's timeline shows of it."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(320), default="system")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_case_events_case", CaseEvent.case_id, CaseEvent.id)


class CaseLink(Base):
    """An interaction that belongs to a case: what caused it, what was said on it since."""

    __tablename__ = "case_links"

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    interaction_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="cause")
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseMessage(Base):
    """An answer to the customer and its delivery. The text lives on its outbound
    interaction; this row knows where it went and whether it arrived."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"))
    interaction_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("interactions.id", ondelete="SET NULL"), default=None
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    email_message_id: Mapped[str | None] = mapped_column(String(300), default=None, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    """When the delivery last changed state: how long a message has sat queued or sending."""


Index("ix_case_messages_case", CaseMessage.case_id, CaseMessage.id)
# The delivery sweep's read: messages still queued or sending, oldest change first.
Index("ix_case_messages_status", CaseMessage.status, CaseMessage.updated_at)


@configuration("case_rule")
class CaseRule(Base):
    """Opens a case when an interaction (and its enrichment) meets every condition."""

    __tablename__ = "case_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn, default=list)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.normal.value)
    tags: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@configuration("routing_rule")
class RoutingRule(Base):
    """Sends a case to a department and queue; the first active rule that matches wins."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn, default=list)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="CASCADE"))
    queue: Mapped[str] = mapped_column(String(64), default="")
    priority: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@configuration("sla_policy")
class SlaPolicy(Base):
    """Targets in business minutes for a department (or all) and a priority (or all)."""

    __tablename__ = "sla_policies"
    __table_args__ = (UniqueConstraint("department_id", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), default=None
    )
    priority: Mapped[str | None] = mapped_column(String(8), default=None)
    first_response_minutes: Mapped[int] = mapped_column()
    resolution_minutes: Mapped[int] = mapped_column()
    warn_before_minutes: Mapped[int] = mapped_column(default=30)
    escalate_to_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    escalate_to_department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), default=None
    )
    escalate_priority: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@configuration("business_calendar")
class BusinessCalendar(Base):
    """Opening hours in a time zone, with a country's (and region's) public holidays.

    ``department_id`` None is the company's default calendar.
    """

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), default=None, unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    holiday_country: Mapped[str | None] = mapped_column(String(8), default=None)
    holiday_subdivision: Mapped[str | None] = mapped_column(String(16), default=None)
    closed_dates: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@configuration("department_setup", secret={"notify_webhook_url"}, ignore={"last_assignee_id"})
class DepartmentSetup(Base):
    """How a department hands out its cases, and who its lead is."""

    __tablename__ = "department_setups"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    assignment: Mapped[str] = mapped_column(String(16), default="round_robin")
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    last_assignee_id: Mapped[int | None] = mapped_column(default=None)
    notify_webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)


@configuration("agent_profile")
class AgentProfile(Base):
    """What an agent can take: languages, skills (topics or tags) and whether they are in."""

    __tablename__ = "agent_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    languages: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    skills: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    available: Mapped[bool] = mapped_column(default=True)


@configuration("reply_template")
class ReplyTemplate(Base):
    __tablename__ = "reply_templates"
    __table_args__ = (UniqueConstraint("key", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8), default="en")
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProblemStatus(enum.StrEnum):
    open = "open"
    fixed = "fixed"
    announced = "announced"


class Problem(Base):
    """A root cause behind many cases, fixed once and announced to everyone affected."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str | None] = mapped_column(String(200), default=None)
    status: Mapped[str] = mapped_column(String(16), default=ProblemStatus.open.value)
    fix: Mapped[str] = mapped_column(Text, default="")
    announcement: Mapped[str] = mapped_column(Text, default="")
    announced_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    fixed_at: Mapped[datetime | None] = mapped_column(default=None)
