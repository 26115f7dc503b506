"""GET /api/v1/risk and /api/v1/customers/{id}/risk: who is at risk and why, riskiest
first, names masked for roles without pii.read (and for an agent of another department)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import create_token
from cxloop.customers import Customer
from cxloop.proactive import DetractionScore, RiskScore
from tests.accounts.factories import bearer, make_token
from tests.cases.factories import make_agent, make_case, make_department
from tests.customers.factories import make_customer, merge_into
from tests.proactive.factories import NOW

REASON = {"feature": "last NPS", "value": 2.0, "text": "last NPS 2 (typical 8)", "weight": 0.8}


def scored(session: Session, name: str, risk: float, value: float = 40.0) -> int:
    customer = make_customer(session, name=name, traits={"monthly_value": value, "mrr": 7})
    session.add(
        RiskScore(
            customer_id=customer.id,
            risk=risk,
            reasons=[REASON],
            model_version="churn-2026-11-30T04:00:00+00:00",
            scored_at=NOW,
        )
    )
    session.flush()
    return customer.id


def test_the_riskiest_first_with_reasons_value_and_open_cases(
    client: TestClient, session: Session
) -> None:
    low = scored(session, "Lou Low", 0.2)
    high = scored(session, "Ann High", 0.9, value=85.5)
    middle = scored(session, "Mo Middle", 0.5)
    billing = make_department(session)
    make_case(
        session, department=billing, text="bill wrong", customer=session.get_one(Customer, high)
    )
    _token, plaintext = create_token(session, user=make_agent(session, billing))
    headers = bearer(plaintext)  # an agent of the department the customer's case is in

    first = client.get("/api/v1/risk?limit=2", headers=headers)

    assert first.status_code == 200, first.text
    page = first.json()
    assert [i["customer_id"] for i in page["items"]] == [high, middle]
    top = page["items"][0]
    assert top["name"] == "Ann High" and top["risk"] == 0.9 and top["value"] == 85.5
    assert top["open_cases"] == 1 and top["reasons"][0]["text"] == "last NPS 2 (typical 8)"
    rest = client.get(f"/api/v1/risk?limit=2&cursor={page['next_cursor']}", headers=headers)
    assert [i["customer_id"] for i in rest.json()["items"]] == [low]
    assert rest.json()["next_cursor"] is None
    only = client.get("/api/v1/risk?min_risk=0.6&value_trait=mrr", headers=headers).json()
    assert [(i["customer_id"], i["value"]) for i in only["items"]] == [(high, 7)]


def test_names_are_masked_without_pii_read(client: TestClient, session: Session) -> None:
    customer_id = scored(session, "Ann High", 0.9)
    headers = bearer(make_token(session, role="viewer"))

    listed = client.get("/api/v1/risk", headers=headers).json()["items"]
    one = client.get(f"/api/v1/customers/{customer_id}/risk", headers=headers).json()

    assert listed[0]["name"] == one["name"] == "A. H."


def test_one_customers_risk_follows_a_merge_and_404s_when_unscored(
    client: TestClient, session: Session
) -> None:
    winner = scored(session, "Ann High", 0.9)
    loser = make_customer(session)
    merge_into(session, loser, session.get_one(Customer, winner))
    unscored = make_customer(session)
    headers = bearer(make_token(session, role="admin"))

    found = client.get(f"/api/v1/customers/{loser.id}/risk", headers=headers)
    missing = client.get(f"/api/v1/customers/{unscored.id}/risk", headers=headers)

    assert found.status_code == 200 and found.json()["customer_id"] == winner
    assert found.json()["model_version"] == "churn-2026-11-30T04:00:00+00:00"
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "has no risk score" in missing.json()["detail"]


def test_likely_detractors_first_with_their_chance_of_leaving_beside(
    client: TestClient, session: Session
) -> None:
    calm = scored(session, "Cal Calm", 0.8)
    upset = scored(session, "Uma Upset", 0.1)
    for customer_id, risk in ((calm, 0.1), (upset, 0.9)):
        session.add(
            DetractionScore(customer_id=customer_id, risk=risk, reasons=[REASON],
                            model_version="detraction-test", scored_at=NOW)
        )  # fmt: skip
    session.flush()
    headers = bearer(make_token(session, role="admin"))

    page = client.get("/api/v1/risk?kind=detraction", headers=headers).json()
    one = client.get(f"/api/v1/customers/{calm}/risk", headers=headers).json()

    assert [(i["customer_id"], i["kind"], i["risk"]) for i in page["items"]] == [
        (upset, "detraction", 0.9),
        (calm, "detraction", 0.1),
    ]
    assert page["items"][0]["churn"]["risk"] == 0.1
    assert one["kind"] == "churn" and one["risk"] == 0.8 and one["detraction"]["risk"] == 0.1
    wrong = client.get("/api/v1/risk?kind=happiness", headers=headers)
    assert wrong.status_code == 422
    assert wrong.headers["content-type"].startswith("application/problem+json")
