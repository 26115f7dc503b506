"""Cases worked at known moments through the cases services (open, answer, change status),
so their clocks and business minutes are what the lifecycle records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.accounts import Department, User
from cxloop.cases import Case, CaseDraft, open_cases, reply, set_status
from cxloop.customers import Customer
from cxloop.interactions import Interaction
from tests.cases.factories import (
    directory,
    make_agent,
    make_department,
    make_enrichment,
    make_interaction,
    make_policy,
)


@dataclass
class Desk:
    """A department with an agent, under an SLA policy unless told otherwise."""

    department: Department
    agent: User


def make_desk(
    session: Session,
    slug: str,
    *,
    first_response_minutes: int | None = 60,
    resolution_minutes: int = 480,
) -> Desk:
    department = make_department(session, slug)
    if first_response_minutes is not None:
        make_policy(
            session,
            department=department,
            first_response_minutes=first_response_minutes,
            resolution_minutes=resolution_minutes,
        )
    return Desk(department=department, agent=make_agent(session, department))


def open_case(
    session: Session,
    desk: Desk,
    at: datetime,
    *,
    cause: Interaction | None = None,
    channel: str = "email",
    priority: str = "normal",
    origin: str = "manual",
) -> Case:
    cause = cause or make_interaction(session, occurred_at=at)
    [case] = open_cases(
        session,
        directory(session),
        [
            CaseDraft(
                customer_id=cause.customer_id,
                subject="About my order",
                channel=channel,
                priority=priority,
                origin=origin,
                interaction_ids=[cause.id],
                department_id=desk.department.id,
            )
        ],
        now=at,
    )
    return case


def answer(session: Session, desk: Desk, case: Case, at: datetime, then: str = "open") -> None:
    reply(directory(session), case.id, author=desk.agent, body="We are on it.", then=then, now=at)


def move(session: Session, case: Case, status: str, at: datetime) -> None:
    set_status(directory(session), case, status, actor="lead@example.com", now=at)


def nps_answer(
    session: Session,
    at: datetime,
    score: int,
    *,
    customer: Customer | None = None,
    demo_style: bool = False,
) -> Interaction:
    """A survey response as the survey system records it (``scores.nps``), or as the demo
    and tracked events carry it (``nps``)."""
    properties: dict[str, Any] = {"nps": score} if demo_style else {"scores": {"nps": score}}
    return make_interaction(
        session,
        customer=customer,
        channel="survey",
        type="Survey Completed",
        occurred_at=at,
        properties=properties,
        stage="support",
    )


def churn_threat(session: Session, at: datetime, *, channel: str = "chat") -> Interaction:
    text = "I'm cancelling my subscription if this is not fixed."
    interaction = make_interaction(session, channel=channel, text=text, occurred_at=at)
    make_enrichment(session, interaction, signals=["churn_threat", "urgent"])
    return interaction
