"""The at-risk page: the riskiest customers with their reasons, value and open cases, one
click to a retention case, and the model card that says how far to trust the scores."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import Case
from cxloop.proactive import DetractionScore, RiskScore
from cxloop.settings import Settings
from tests.accounts.factories import make_user
from tests.cases.factories import make_team
from tests.customers.factories import make_customer
from tests.proactive.factories import (
    NOW,
    deploy,
    deploy_detraction,
    trained_detraction_model,
    trained_model,
)
from tests.web.helpers import csrf_from, sign_in

REASONS = [
    {"feature": "most contacts on one topic, 90 days", "value": 4.0,
     "text": "most contacts on one topic, 90 days 4 (typical 0)", "weight": 1.2},
    {"feature": "last NPS", "value": 2.0, "text": "last NPS 2 (typical 8)", "weight": 0.8},
]  # fmt: skip


def scored(session: Session, name: str, risk: float) -> int:
    customer = make_customer(session, name=name, traits={"monthly_value": 79.5})
    session.add(
        RiskScore(customer_id=customer.id, risk=risk, reasons=REASONS,
                  model_version="churn-test", scored_at=NOW)
    )  # fmt: skip
    session.flush()
    return customer.id


def signed_in(client: TestClient, session: Session, role: str) -> None:
    user = make_user(session, role=role)
    assert sign_in(client, user.email).status_code == 303


def test_the_riskiest_customers_with_reasons_value_and_the_model_card(
    client: TestClient,
    session: Session,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deploy(trained_model(tmp_path_factory), settings)
    scored(session, "Ann High", 0.83)
    scored(session, "Lou Low", 0.12)
    signed_in(client, session, "agent")

    page = client.get("/at-risk")

    assert page.status_code == 200
    html = page.text
    assert html.index("Ann High") < html.index("Lou Low")
    assert "83%" in html and "last NPS 2 (typical 8)" in html and "79.5" in html
    assert "Open a retention case" in html
    assert "ROC AUC" in html and "Calibration" in html and "Performance over time" in html
    assert 'role="img"' in html and "Calibration by decile" in html
    assert 'href="/at-risk"' in html  # in the navigation


def test_names_are_masked_and_no_action_without_the_permissions(
    client: TestClient, session: Session
) -> None:
    scored(session, "Ann High", 0.83)
    signed_in(client, session, "viewer")

    html = client.get("/at-risk").text

    assert "Ann High" not in html and "A. H." in html
    assert "Open a retention case" not in html
    assert "No risk model is deployed yet" in html


def test_one_click_opens_a_retention_case_with_the_reasons(
    client: TestClient, session: Session
) -> None:
    retention = make_team(session, "retention")
    customer_id = scored(session, "Ann High", 0.83)
    signed_in(client, session, "agent")
    token = csrf_from(client.get("/at-risk").text)

    answer = client.post(
        f"/at-risk/{customer_id}/retention-case", data={"csrf_token": token}, follow_redirects=False
    )

    assert answer.status_code == 303
    case = session.scalar(select(Case).where(Case.customer_id == customer_id))
    assert case is not None and case.department_id == retention.id
    assert case.subject.startswith("At risk of leaving (83%): most contacts on one topic")
    assert answer.headers["location"] == f"/at-risk?opened={case.id}"
    assert (
        f'Retention case <a href="/cases/{case.id}">' in client.get(answer.headers["location"]).text
    )


def test_opening_needs_the_csrf_token_and_cases_work(client: TestClient, session: Session) -> None:
    customer_id = scored(session, "Ann High", 0.83)
    signed_in(client, session, "viewer")
    token = csrf_from(client.get("/at-risk").text)

    forged = client.post(f"/at-risk/{customer_id}/retention-case", data={})
    refused = client.post(f"/at-risk/{customer_id}/retention-case", data={"csrf_token": token})

    assert forged.status_code in (400, 403)
    assert refused.status_code == 403
    assert session.scalars(select(Case)).all() == []


def test_no_scores_yet_says_how_to_get_them(client: TestClient, session: Session) -> None:
    signed_in(client, session, "analyst")

    assert "No risk scores yet" in client.get("/at-risk").text


def test_the_page_needs_customers_read(client: TestClient) -> None:
    assert client.get("/at-risk", follow_redirects=False).status_code in (302, 303, 401)


def test_likely_detractors_are_listed_with_reasons_and_their_model_card(
    client: TestClient,
    session: Session,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    deploy_detraction(trained_detraction_model(tmp_path_factory), settings)
    customer_id = scored(session, "Ann High", 0.83)
    session.add(
        DetractionScore(customer_id=customer_id, risk=0.64, reasons=REASONS[1:],
                        model_version="detraction-test", scored_at=NOW)
    )  # fmt: skip
    session.flush()
    signed_in(client, session, "agent")

    html = client.get("/at-risk").text

    assert "Likely detractors" in html and "64%" in html
    detractors = html[html.index("Likely detractors") :]
    assert "Ann High" in detractors and "last NPS 2 (typical 8)" in detractors
    assert "The detraction model" in html and "answered 0-6" in html
    assert "No risk model is deployed yet" in html  # churn: none deployed here


def test_a_customers_page_shows_both_risks_with_their_reasons(
    client: TestClient, session: Session
) -> None:
    customer_id = scored(session, "Ann High", 0.83)
    session.add(
        DetractionScore(customer_id=customer_id, risk=0.64, reasons=REASONS[1:],
                        model_version="detraction-test", scored_at=NOW)
    )  # fmt: skip
    session.flush()
    signed_in(client, session, "agent")

    html = client.get(f"/customers/{customer_id}").text

    risk = html[html.index('id="risk-heading"') :]
    assert "Of leaving: 83%" in risk and "most contacts on one topic, 90 days 4" in risk
    assert "Of a detractor answer (0-6): 64%" in risk
    assert "No risk" not in html
