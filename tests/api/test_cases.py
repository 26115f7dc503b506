"""Cases over HTTP: a team lead sets up rules, SLAs and calendars; agents work cases of their
own departments only; everything that goes wrong answers problem+json."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Department, create_token
from tests.accounts.factories import bearer, make_user
from tests.cases.factories import make_department, make_interaction
from tests.customers.factories import make_customer

PROBLEM = "application/problem+json"


def token_for(session: Session, role: str, departments: list[Department] | None = None) -> dict:
    user = make_user(session, role=role, departments=[d.slug for d in departments or []])
    _token, plaintext = create_token(session, user=user, scopes=["read", "write"])
    return {"headers": bearer(plaintext), "email": user.email}


@pytest.fixture
def billing(session: Session) -> Department:
    return make_department(session, "billing")


@pytest.fixture
def admin(session: Session) -> dict[str, Any]:
    return token_for(session, "admin")


def test_a_team_lead_sets_up_routing_and_an_sla_and_a_case_lands_in_the_queue(
    client: TestClient, session: Session, billing: Department, admin: dict[str, Any]
) -> None:
    agent = token_for(session, "agent", [billing])
    h = admin["headers"]
    assert (
        client.put(
            "/api/v1/departments/billing/calendar",
            json={"timezone": "Europe/Paris", "holiday_country": "FR"},
            headers=h,
        ).status_code
        == 200
    )
    routed = client.post(
        "/api/v1/routing-rules",
        json={
            "name": "Invoices",
            "department": "billing",
            "conditions": [{"field": "text", "op": "contains", "value": "invoice"}],
        },
        headers=h,
    )
    assert routed.status_code == 201, routed.text
    policy = client.post(
        "/api/v1/sla-policies",
        json={
            "name": "Billing",
            "department": "billing",
            "first_response_minutes": 60,
            "resolution_minutes": 480,
        },
        headers=h,
    )
    assert policy.status_code == 201, policy.text
    interaction = make_interaction(session, text="My invoice is wrong")

    opened = client.post(
        "/api/v1/cases",
        json={"interaction_id": interaction.id, "subject": "Wrong invoice"},
        headers=agent["headers"],
    )

    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["department_id"] == billing.id
    assert case["routing"]["by"] == "rule"
    assert case["first_response_due"] is not None
    assert case["assignee_id"] is not None  # the only agent of billing takes it
    queue = client.get("/api/v1/cases?view=mine", headers=agent["headers"]).json()
    assert [c["id"] for c in queue["items"]] == [case["id"]]


def test_an_agent_of_another_department_cannot_see_the_case(
    client: TestClient, session: Session, billing: Department, admin: dict[str, Any]
) -> None:
    outsider = token_for(session, "agent", [make_department(session, "delivery")])
    customer = make_customer(session)
    opened = client.post(
        "/api/v1/cases",
        json={"customer_id": customer.id, "subject": "Refund", "department": "billing"},
        headers=admin["headers"],
    ).json()

    for method, path, body in [
        ("GET", f"/api/v1/cases/{opened['id']}", None),
        ("PATCH", f"/api/v1/cases/{opened['id']}", {"status": "solved"}),
        ("POST", f"/api/v1/cases/{opened['id']}/notes", {"text": "peek"}),
        ("POST", f"/api/v1/cases/{opened['id']}/replies", {"body": "hello"}),
    ]:
        answer = client.request(method, path, json=body, headers=outsider["headers"])
        assert answer.status_code == 404, (method, path)
        assert answer.headers["content-type"] == PROBLEM
    listed = client.get("/api/v1/cases?view=open", headers=outsider["headers"]).json()
    assert listed["items"] == []


def test_an_agent_works_a_case_through_its_workflow(
    client: TestClient, session: Session, billing: Department, admin: dict[str, Any]
) -> None:
    agent = token_for(session, "agent", [billing])
    h = agent["headers"]
    customer = make_customer(session, email="ada@example.com")
    case = client.post(
        "/api/v1/cases",
        json={"customer_id": customer.id, "subject": "Refund", "department": "billing"},
        headers=h,
    ).json()
    url = f"/api/v1/cases/{case['id']}"

    assert (
        client.post(f"{url}/notes", json={"text": "Checked the ledger"}, headers=h).status_code
        == 201
    )
    replied = client.post(f"{url}/replies", json={"body": "Refunded today."}, headers=h)
    assert replied.status_code == 201, replied.text
    assert replied.json()["status"] in {"queued", "sent", "failed"}
    changed = client.patch(url, json={"status": "solved", "tags": ["refund"]}, headers=h)
    assert changed.status_code == 200, changed.text
    detail = client.get(url, headers=h).json()

    assert detail["case"]["status"] == "solved"
    assert detail["case"]["first_responded_at"] is not None
    kinds = [e["kind"] for e in detail["events"]]
    for kind in ("opened", "note", "first_response", "replied", "tags", "status"):
        assert kind in kinds
    statuses = [e["data"]["status"] for e in detail["events"] if e["kind"] == "status"]
    assert statuses == ["waiting", "solved"]  # an answer waits on the customer by default


def test_a_forbidden_status_change_says_which_are_allowed(
    client: TestClient, session: Session, admin: dict[str, Any]
) -> None:
    case = client.post(
        "/api/v1/cases",
        json={"customer_id": make_customer(session).id, "subject": "x"},
        headers=admin["headers"],
    ).json()
    url = f"/api/v1/cases/{case['id']}"
    assert client.patch(url, json={"status": "closed"}, headers=admin["headers"]).status_code == 200

    answer = client.patch(url, json={"status": "waiting"}, headers=admin["headers"])

    assert answer.status_code == 409
    assert "it can become reopened" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/case-rules",
            {"name": "x", "conditions": [{"field": "mood", "value": 1}]},
            "conditions",
        ),
        ("/api/v1/routing-rules", {"name": "x", "department": "nowhere"}, "department"),
        (
            "/api/v1/sla-policies",
            {"name": "x", "first_response_minutes": 0, "resolution_minutes": 10},
            "first_response_minutes",
        ),
    ],
)
def test_bad_set_up_is_refused_with_the_field_named(
    client: TestClient, admin: dict[str, Any], path: str, body: dict, field: str
) -> None:
    answer = client.post(path, json=body, headers=admin["headers"])
    assert answer.status_code == 422
    assert answer.headers["content-type"] == PROBLEM
    assert field in answer.text


def test_a_calendar_with_impossible_hours_is_refused(
    client: TestClient, billing: Department, admin: dict[str, Any]
) -> None:
    answer = client.put(
        "/api/v1/departments/billing/calendar",
        json={"hours": {"mon": [["18:00", "09:00"]]}},
        headers=admin["headers"],
    )
    assert answer.status_code == 422
    assert "closes before it opens" in answer.json()["detail"]


def test_two_policies_for_the_same_department_and_priority_conflict(
    client: TestClient, billing: Department, admin: dict[str, Any]
) -> None:
    body = {
        "name": "p",
        "department": "billing",
        "priority": "high",
        "first_response_minutes": 30,
        "resolution_minutes": 240,
    }
    assert (
        client.post("/api/v1/sla-policies", json=body, headers=admin["headers"]).status_code == 201
    )
    again = client.post("/api/v1/sla-policies", json=body, headers=admin["headers"])
    assert again.status_code == 409


def test_a_problem_is_created_fixed_and_announced_over_the_api(
    client: TestClient, session: Session, billing: Department, admin: dict[str, Any]
) -> None:
    h = admin["headers"]
    ids = [
        client.post(
            "/api/v1/cases",
            json={
                "customer_id": make_customer(session).id,
                "subject": "Outage",
                "department": "billing",
            },
            headers=h,
        ).json()["id"]
        for _ in range(2)
    ]
    problem = client.post(
        "/api/v1/problems", json={"title": "Outage", "case_ids": ids}, headers=h
    ).json()
    assert problem["cases"] == 2

    early = client.post(
        f"/api/v1/problems/{problem['id']}/announce", json={"message": "Fixed"}, headers=h
    )
    assert early.status_code == 409
    client.post(f"/api/v1/problems/{problem['id']}/fix", json={"fix": "New switch"}, headers=h)
    done = client.post(
        f"/api/v1/problems/{problem['id']}/announce",
        json={"message": "You told us; we fixed it."},
        headers=h,
    )

    assert done.status_code == 200, done.text
    assert done.json()["status"] == "announced"
    statuses = {client.get(f"/api/v1/cases/{i}", headers=h).json()["case"]["status"] for i in ids}
    assert statuses == {"solved"}
