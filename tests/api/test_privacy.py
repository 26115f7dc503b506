"""Privacy over HTTP: consent, requests and the audit log, with the roles that may use them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.types import utcnow
from tests.accounts.factories import bearer, make_token, make_user
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.web.helpers import sign_in

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.admin, scopes=["read", "write"]))


@pytest.fixture
def agent(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.agent, scopes=["read", "write"]))


def test_consent_given_by_an_agent_is_shown_and_audited(
    client: TestClient, session: Session, agent: dict[str, str], admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    url = f"/api/v1/customers/{customer.id}/consents"

    assert client.get(url, headers=agent).json()["allowed"]["marketing"] is False
    given = client.post(
        url, json={"purpose": "marketing", "granted": True, "source": "phone"}, headers=agent
    )

    assert given.status_code == 201
    assert given.json()["allowed"]["marketing"] is True
    assert given.json()["decisions"][0]["source"] == "phone"
    entries = client.get("/api/v1/audit?action=consent.recorded", headers=admin).json()["items"]
    assert entries[0]["target_id"] == str(customer.id)


def test_an_unknown_purpose_is_a_problem(
    client: TestClient, session: Session, agent: dict[str, str]
) -> None:
    customer = make_customer(session)
    response = client.post(
        f"/api/v1/customers/{customer.id}/consents",
        json={"purpose": "spam", "granted": True},
        headers=agent,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)


def test_an_admin_exports_then_erases_a_customer(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    customer = make_customer(session, name="Bo Berg", email="bo@example.com")
    make_interaction(session, customer_id=customer.id, text="Bo here")

    export = client.post(
        "/api/v1/privacy/requests",
        json={"customer_id": customer.id, "kind": "export"},
        headers=admin,
    )
    assert export.status_code == 201, export.text
    assert export.json()["status"] == "completed"
    archive = client.get(f"/api/v1/privacy/requests/{export.json()['id']}/archive", headers=admin)
    assert archive.json()["profiles"][0]["email"] == "bo@example.com"

    erasure = client.post(
        "/api/v1/privacy/requests",
        json={"customer_id": customer.id, "kind": "erasure"},
        headers=admin,
    )
    assert erasure.json()["summary"]["interactions"] == 1
    gone = client.get(f"/api/v1/privacy/requests/{export.json()['id']}/archive", headers=admin)
    assert gone.status_code == 404
    profile = client.get(f"/api/v1/customers/{customer.id}", headers=admin).json()
    assert (profile["name"], profile["email"], profile["identities"]) == (None, None, [])


def test_a_request_held_for_an_identity_check_is_carried_out_later_and_only_once(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    customer = make_customer(session, name="Cy Held", email="cy@example.com")
    held = client.post(
        "/api/v1/privacy/requests",
        json={"customer_id": customer.id, "kind": "erasure", "hold": True},
        headers=admin,
    ).json()
    assert held["status"] == "received" and held["completed_at"] is None
    pending = client.get("/api/v1/privacy/requests?status=received", headers=admin).json()
    assert held["id"] in [r["id"] for r in pending]

    done = client.post(f"/api/v1/privacy/requests/{held['id']}/fulfil", headers=admin)
    again = client.post(f"/api/v1/privacy/requests/{held['id']}/fulfil", headers=admin)

    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert again.status_code == 409 and again.headers["content-type"].startswith(PROBLEM)
    profile = client.get(f"/api/v1/customers/{customer.id}", headers=admin).json()
    assert (profile["name"], profile["email"]) == (None, None)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/privacy/requests/1/fulfil"),
        ("get", "/api/v1/privacy/requests"),
        ("post", "/api/v1/privacy/requests"),
        ("get", "/api/v1/privacy/requests/1"),
        ("get", "/api/v1/privacy/requests/1/archive"),
        ("get", "/api/v1/audit"),
    ],
)
def test_requests_and_audit_are_for_admins_only(
    client: TestClient, agent: dict[str, str], method: str, path: str
) -> None:
    response = client.request(
        method, path, headers=agent, json={"customer_id": 1, "kind": "export"}
    )
    assert response.status_code == 403
    assert client.request(method, path).status_code == 401


def test_sign_ins_are_audited_with_their_outcome(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    user = make_user(session, role=Role.viewer)
    sign_in(client, user.email, password="wrong password")
    sign_in(client, user.email)

    entries = client.get(f"/api/v1/audit?actor={user.email}", headers=admin).json()["items"]
    assert [e["action"] for e in entries] == ["sign_in.succeeded", "sign_in.failed"]


def test_an_admin_sets_a_retention_policy_and_dry_runs_it(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    customer = make_customer(session)
    make_interaction(
        session, customer_id=customer.id, occurred_at=utcnow() - timedelta(days=90), text="old"
    )

    state = client.put(
        "/api/v1/privacy/retention/raw_text",
        json={"days": 30, "action": "anonymize"},
        headers=admin,
    )
    assert state.status_code == 200, state.text
    assert state.json()["policies"] == [
        {**state.json()["policies"][0], "kind": "raw_text", "days": 30, "action": "anonymize"}
    ]
    assert "interactions" in state.json()["kinds"]

    [outcome] = client.post("/api/v1/privacy/retention/run", headers=admin).json()
    assert (outcome["affected"], outcome["dry_run"]) == (1, True)
    unknown = client.put(
        "/api/v1/privacy/retention/logs", json={"days": 30, "action": "delete"}, headers=admin
    )
    assert unknown.status_code == 422
    assert "unknown data kind 'logs'" in unknown.json()["detail"]
