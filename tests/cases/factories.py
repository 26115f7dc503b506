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
    Case,
    CaseDraft,
    CaseRule,
    Directory,
    RoutingRule,
    SlaPolicy,
    open_cases,
)
from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.understanding import Enrichment
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.understanding.factories import INTENT_EXAMPLES

_seq = itertools.count(1)
MONDAY_9AM_PARIS = datetime.fromisoformat("2026-11-30T08:00:00+00:00")


def directory(session: Session) -> Directory:
    return Directory(session, default_timezone="UTC")


def make_department(session: Session, slug: str | None = None) -> Department:
    """A department with nobody in it (its cases go to triage): add agents to staff it."""
    return ensure_department(session, slug=slug or f"team-{next(_seq)}")


def make_team(session: Session, slug: str | None = None) -> Department:
    """A department with one agent who can take its cases."""
    department = make_department(session, slug)
    make_agent(session, department)
    return department


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


def make_case(
    session: Session,
    *,
    department: Department | None,
    text: str,
    customer: Customer | None = None,
    redacted: str | None = None,
    **fields: Any,
) -> Case:
    """A case opened by hand into ``department`` (None: triage) from one inbound text; any
    ``fields`` (routing, merged_into_id...) are set on it afterwards."""
    interaction = make_interaction(
        session,
        customer=customer,
        text=text,
        enrichment={"redacted": redacted} if redacted is not None else None,
    )
    [case] = open_cases(
        session,
        directory(session),
        [
            CaseDraft(
                customer_id=interaction.customer_id,
                subject=text[:80],
                channel="email",
                interaction_ids=[interaction.id],
                text=redacted or text,
                department_id=department.id if department else None,
            )
        ],
        actor="lead@example.com",
    )
    for name, value in fields.items():
        setattr(case, name, value)
    session.flush()
    return case


def routed_history(session: Session) -> dict[str, Department]:
    """Past cases that people put in billing, delivery and accounts: eight each, from the
    refund, delivery and password phrasings the understanding tests use."""
    departments = {slug: make_team(session, slug) for slug in ("billing", "delivery", "accounts")}
    for intent, slug in (("refund", "billing"), ("delivery", "delivery"), ("password", "accounts")):
        for text in INTENT_EXAMPLES[intent]:
            make_case(session, department=departments[slug], text=text)
    return departments
