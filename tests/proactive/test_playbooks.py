"""Next-best-action playbooks: rules on risk, reasons, value and consent that open retention
cases, message customers or place them in an experiment — never twice too soon, never while
someone is already working a case for them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import Case, CaseEvent, CaseMessage, CaseStatus
from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.experiments import Assignment
from cxloop.interactions import Interaction
from cxloop.jobs.proactive import act
from cxloop.privacy import record_consent
from cxloop.proactive import (
    PlaybookAction,
    RiskScore,
    create_playbook,
    open_retention_case,
    run_playbooks,
)
from tests.accounts.factories import make_user
from tests.cases.factories import directory, make_team
from tests.customers.factories import make_customer
from tests.experiments.factories import make_experiment
from tests.proactive.factories import NOW

BILL = {
    "feature": "most contacts on one topic, 90 days",
    "value": 4.0,
    "text": "most contacts on one topic, 90 days 4 (typical 0)",
    "weight": 1.2,
}
NPS = {"feature": "last NPS", "value": 2.0, "text": "last NPS 2 (typical 8)", "weight": 0.8}


def at_risk(
    session: Session, risk: float, reasons: list[dict[str, Any]] | None = None, **traits: Any
) -> Customer:
    customer = make_customer(session, traits=traits)
    session.add(
        RiskScore(
            customer_id=customer.id,
            risk=risk,
            reasons=reasons or [BILL, NPS],
            model_version="churn-test",
            scored_at=NOW,
        )
    )
    session.flush()
    return customer


def cases_of(session: Session, customer: Customer) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.customer_id == customer.id)))


def test_a_retention_case_for_the_department_with_the_reasons(session: Session) -> None:
    retention = make_team(session, "retention")
    create_playbook(
        session, name="Save the riskiest", min_risk=0.5, department="retention", tags=["save"]
    )
    risky, calm = at_risk(session, 0.8), at_risk(session, 0.2)

    run = run_playbooks(session, directory(session), now=NOW)

    [case] = cases_of(session, risky)
    assert case.department_id == retention.id and case.origin == "playbook"
    assert set(case.tags) == {"retention", "save", "playbook:Save the riskiest"}
    assert case.subject == (
        "At risk of leaving (80%): most contacts on one topic, 90 days 4 (typical 0); "
        "last NPS 2 (typical 8)"
    )
    note = session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "note")
    )
    assert note is not None and "- last NPS 2 (typical 8)" in note.data["text"]
    assert cases_of(session, calm) == []
    assert run.acted == {"Save the riskiest": 1} and run.case_ids == [case.id]
    action = session.scalar(select(PlaybookAction))
    assert action is not None and (action.customer_id, action.case_id) == (risky.id, case.id)


def test_nobody_is_contacted_again_while_a_case_is_open_or_within_the_cooldown(
    session: Session,
) -> None:
    make_team(session, "retention")
    create_playbook(session, name="Save", min_risk=0.5, department="retention", cooldown_days=30)
    customer = at_risk(session, 0.9)
    run_playbooks(session, directory(session), now=NOW)

    again = run_playbooks(session, directory(session), now=NOW + timedelta(days=1))
    assert again.acted == {} and again.skipped == {"contacted recently": 1}

    [case] = cases_of(session, customer)
    case.status = CaseStatus.closed.value
    session.flush()
    assert run_playbooks(session, directory(session), now=NOW + timedelta(days=29)).acted == {}
    later = run_playbooks(session, directory(session), now=NOW + timedelta(days=31))
    assert later.acted == {"Save": 1} and len(cases_of(session, customer)) == 2


def test_a_customer_with_an_open_case_is_left_to_the_people_working_it(session: Session) -> None:
    create_playbook(session, name="Save", min_risk=0.5)
    customer = at_risk(session, 0.9)
    session.add(Case(customer_id=customer.id, subject="broken router", reply_token="tok-open"))
    session.flush()

    run = run_playbooks(session, directory(session), now=NOW)

    assert run.acted == {} and run.skipped == {"has an open case": 1}


def test_reasons_value_and_consent_choose_who_gets_what(session: Session) -> None:
    create_playbook(
        session,
        name="Valuable detractors",
        min_risk=0.4,
        reason_contains="nps",
        trait="monthly_value",
        trait_min=50,
        consent="marketing",
    )
    create_playbook(session, name="Everyone else at risk", min_risk=0.6)
    valuable = at_risk(session, 0.5, monthly_value=80)
    record_consent(
        session, customer_id=valuable.id, purpose="marketing", granted=True, source="web"
    )
    cheap = at_risk(session, 0.5, monthly_value=20)  # below both: first by value, second by risk
    no_consent = at_risk(session, 0.7, monthly_value=90)  # not the first, so the second
    no_nps = at_risk(session, 0.45, [BILL], monthly_value=90)

    run = run_playbooks(session, directory(session), now=NOW)

    assert run.acted == {"Valuable detractors": 1, "Everyone else at risk": 1}
    assert "playbook:Valuable detractors" in cases_of(session, valuable)[0].tags
    assert "playbook:Everyone else at risk" in cases_of(session, no_consent)[0].tags
    assert cases_of(session, cheap) == cases_of(session, no_nps) == []


def test_a_consent_missing_everywhere_is_counted_as_the_reason(session: Session) -> None:
    create_playbook(session, name="Offer", min_risk=0.5, consent="marketing")
    at_risk(session, 0.9)

    run = run_playbooks(session, directory(session), now=NOW)

    assert run.acted == {} and run.skipped == {"no marketing consent": 1}


def test_a_message_playbook_writes_to_the_customer_on_the_case_it_opens(
    session: Session,
) -> None:
    make_team(session, "retention")
    make_user(session, email="lead@example.com", role="admin")
    create_playbook(
        session,
        name="Check in",
        min_risk=0.5,
        department="retention",
        action="message",
        message="We noticed the trouble with your bill.",
        sender="lead@example.com",
    )
    customer = make_customer(session, email="ann@example.com")
    session.add(
        RiskScore(
            customer_id=customer.id,
            risk=0.7,
            reasons=[BILL],
            model_version="churn-test",
            scored_at=NOW,
        )
    )
    session.flush()

    run_playbooks(session, directory(session), now=NOW)

    [case] = cases_of(session, customer)
    message = session.scalar(select(CaseMessage).where(CaseMessage.case_id == case.id))
    assert message is not None and message.channel == "email"
    sent = session.get(Interaction, message.interaction_id)
    assert sent is not None and sent.text == "We noticed the trouble with your bill."
    assert sent.direction == "out" and sent.customer_id == customer.id
    assert case.status == CaseStatus.waiting.value


def test_an_experiment_playbook_places_customers_in_a_running_experiment(
    session: Session,
) -> None:
    experiment = make_experiment(session)
    create_playbook(
        session, name="Try a credit", min_risk=0.5, action="experiment", experiment_id=experiment.id
    )
    customer = at_risk(session, 0.8)

    run = act(session, directory(session))

    assignment = session.scalar(select(Assignment).where(Assignment.customer_id == customer.id))
    assert assignment is not None and assignment.experiment_id == experiment.id
    assert run.acted == {"Try a credit": 1} and cases_of(session, customer) == []


def test_an_experiment_playbook_waits_while_its_experiment_is_not_running(
    session: Session,
) -> None:
    experiment = make_experiment(session, start=False)
    create_playbook(
        session, name="Try a credit", min_risk=0.5, action="experiment", experiment_id=experiment.id
    )
    at_risk(session, 0.8)

    assert act(session, directory(session)).acted == {}


def test_one_click_from_the_at_risk_list_opens_a_case_the_caps_count(session: Session) -> None:
    retention = make_team(session, "retention")
    create_playbook(session, name="Save", min_risk=0.5)
    customer = at_risk(session, 0.9)

    case = open_retention_case(
        session, directory(session), customer.id, department="retention", actor="lead@example.com"
    )
    case.status = CaseStatus.closed.value
    session.flush()

    assert case.department_id == retention.id and "retention" in case.tags
    assert run_playbooks(session, directory(session)).skipped == {"contacted recently": 1}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"min_risk": 1.5}, "between 0 and 1"),
        ({"action": "call"}, "action must be one of"),
        ({"trait": "monthly_value"}, "both trait and trait_min"),
        ({"department": "nowhere"}, "no department 'nowhere'"),
        ({"action": "message", "message": "hi", "sender": "ghost@example.com"}, "sender"),
        ({"action": "experiment"}, "names its experiment"),
        ({"consent": "telepathy"}, "unknown consent purpose"),
    ],
)
def test_playbooks_are_checked_as_stated(
    session: Session, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        create_playbook(session, **{"name": "x", "min_risk": 0.5, **fields})
