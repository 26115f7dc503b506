"""Departments with agents, policies, calendars, rules and interactions for case tests."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.accounts import Department, User, ensure_department
from cxloop.cases import (
    AgentProfile,
    BusinessCalendar,
    CaseRule,
    Directory,
    RoutingRule,
    SlaPolicy,
)
from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.understanding import Enrichment
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer

_seq = itertools.count(1)
MONDAY_9AM_PARIS = datetime.fromisoformat("2026-11-30T08:00:00+00:00")


def directory(session: Session) -> Directory:
    return Directory(session, default_timezone="UTC")


def make_department(session: Session, slug: str | None = None) -> Department:
    return ensure_department(session, slug=slug or f"team-{next(_seq)}")


def make_agent(
    session: Session,
    department: Department,
    *,
    languages: list[str] | None = None,
    skills: list[str] | None = None,
    role: str = "agent",
) -> User:
    user = make_user(session, role=role, departments=[department.slug])
    if languages or skills:
        session.add(AgentProfile(user_id=user.id, languages=languages or [], skills=skills or []))
        session.flush()
    return user


def make_policy(
    session: Session,
    *,
    department: Department | None = None,
    priority: str | None = None,
    first_response_minutes: int = 60,
    resolution_minutes: int = 480,
    **extra: Any,
) -> SlaPolicy:
    policy = SlaPolicy(
        name=f"policy {next(_seq)}",
        department_id=department.id if department else None,
        priority=priority,
        first_response_minutes=first_response_minutes,
        resolution_minutes=resolution_minutes,
        **extra,
    )
    session.add(policy)
    session.flush()
    return policy


def make_calendar(
    session: Session, *, department: Department | None = None, **fields: Any
) -> BusinessCalendar:
    calendar = BusinessCalendar(department_id=department.id if department else None, **fields)
    session.add(calendar)
    session.flush()
    return calendar


def make_case_rule(session: Session, conditions: list[dict[str, Any]], **fields: Any) -> CaseRule:
    rule = CaseRule(name=fields.pop("name", f"rule {next(_seq)}"), conditions=conditions, **fields)
    session.add(rule)
    session.flush()
    return rule


def make_routing_rule(
    session: Session, department: Department, conditions: list[dict[str, Any]], **fields: Any
) -> RoutingRule:
    rule = RoutingRule(
        name=fields.pop("name", f"route {next(_seq)}"),
        department_id=department.id,
        conditions=conditions,
        **fields,
    )
    session.add(rule)
    session.flush()
    return rule


def make_interaction(
    session: Session,
    *,
    customer: Customer | None = None,
    channel: str = "email",
    text: str | None = None,
    occurred_at: datetime = MONDAY_9AM_PARIS,
    properties: dict[str, Any] | None = None,
    enrichment: dict[str, Any] | None = None,
    **fields: Any,
) -> Interaction:
    """An inbound interaction, and its enrichment when given (as understanding stores it)."""
    customer = customer or make_customer(session)
    interaction = Interaction(
        message_id=f"case-test-{next(_seq)}",
        customer_id=customer.id,
        channel=channel,
        type=fields.pop("type", "Email Received"),
        direction=fields.pop("direction", "in"),
        occurred_at=occurred_at,
        received_at=occurred_at,
        text=text,
        properties=properties or {},
        **fields,
    )
    session.add(interaction)
    session.flush()
    if enrichment is not None:
        make_enrichment(session, interaction, **enrichment)
    return interaction


def make_enrichment(session: Session, interaction: Interaction, **fields: Any) -> Enrichment:
    """What understanding stores for an interaction (fields as on Enrichment)."""
    enrichment = Enrichment(
        interaction_id=interaction.id,
        status="ok",
        redacted=fields.pop("redacted", interaction.text or ""),
        versions_key="test",
        **fields,
    )
    session.add(enrichment)
    session.flush()
    return enrichment
