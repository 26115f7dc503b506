"""SLA timers: a warning before the deadline, a breach and its escalation after, each once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import CaseDraft, CaseEvent, check_deadlines, first_response, open_cases
from tests.cases.factories import (
    MONDAY_9AM_PARIS,
    directory,
    make_agent,
    make_policy,
    make_team,
)
from tests.customers.factories import make_customer

START = MONDAY_9AM_PARIS + timedelta(hours=2)  # 10:00 UTC, inside the default 9-to-5 (UTC)


def open_case(session: Session, department, priority: str = "normal"):
    draft = CaseDraft(
        customer_id=make_customer(session).id,
        subject="Late parcel",
        channel="email",
        department_id=department.id,
        priority=priority,
    )
    [case] = open_cases(session, directory(session), [draft], now=START)
    return case


def kinds(session: Session, case) -> list[str]:
    return list(
        session.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )


def test_a_warning_comes_before_the_deadline_and_only_once(session: Session) -> None:
    team = make_team(session)
    make_policy(session, department=team, first_response_minutes=60, warn_before_minutes=15)
    case = open_case(session, team)

    assert check_deadlines(directory(session), START + timedelta(minutes=40)) == []
    [alert] = check_deadlines(directory(session), START + timedelta(minutes=46))
    again = check_deadlines(directory(session), START + timedelta(minutes=50))

    assert (alert.kind, alert.clock) == ("sla_warning", "first_response")
    assert again == [] and case.first_response_warned


def test_a_breach_escalates_as_the_policy_says(session: Session) -> None:
    team, leads = make_team(session), make_team(session)
    lead = make_agent(session, leads)
    make_policy(
        session,
        department=team,
        first_response_minutes=30,
        escalate_priority="urgent",
        escalate_to_department_id=leads.id,
        escalate_to_user_id=lead.id,
    )
    case = open_case(session, team)

    alerts = check_deadlines(directory(session), START + timedelta(hours=1))

    assert [(a.kind, a.clock) for a in alerts] == [("sla_breach", "first_response")]
    assert (case.priority, case.department_id, case.assignee_id) == ("urgent", leads.id, lead.id)
    assert case.first_response_breached
    assert "escalated" in kinds(session, case)
    assert check_deadlines(directory(session), START + timedelta(hours=2)) == []


def test_an_answered_case_never_breaches_its_first_response(session: Session) -> None:
    team = make_team(session)
    make_policy(session, department=team, first_response_minutes=30, resolution_minutes=600)
    case = open_case(session, team)
    first_response(case, START + timedelta(minutes=10), directory(session).calendar(team.id))

    assert check_deadlines(directory(session), START + timedelta(hours=1)) == []


def test_a_late_run_catches_up_on_every_missed_deadline(session: Session) -> None:
    """The worker was down all day: the next run flags everything, exactly once."""
    team = make_team(session)
    make_policy(session, department=team, first_response_minutes=30, resolution_minutes=60)
    cases = [open_case(session, team) for _ in range(3)]

    alerts = check_deadlines(directory(session), START + timedelta(days=2))

    assert len(alerts) == 6  # each case breached both clocks
    assert all(c.first_response_breached and c.resolution_breached for c in cases)
    assert check_deadlines(directory(session), START + timedelta(days=3)) == []
