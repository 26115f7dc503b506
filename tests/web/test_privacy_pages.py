"""The privacy pages: an admin records a request through the form and finds it in the log;
other roles are refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.web.helpers import csrf_from, sign_in


def test_an_admin_records_an_export_and_sees_it_in_the_audit_log(
    client: TestClient, session: Session
) -> None:
    admin = make_user(session, role=Role.admin)
    customer = make_customer(session, email="lea@example.com")
    sign_in(client, admin.email)
    token = csrf_from(client.get("/privacy").text)

    made = client.post(
        "/privacy/requests",
        data={"customer_id": customer.id, "kind": "export", "note": "letter", "csrf_token": token},
        follow_redirects=False,
    )

    assert made.status_code == 303
    listing = client.get(made.headers["location"]).text
    assert "is recorded and carried out" in listing
    assert f"/customers/{customer.id}" in listing and ">JSON</a>" in listing
    log = client.get("/privacy/audit", params={"action": "request.export.completed"}).text
    assert admin.email in log and f"customer {customer.id}" in log


def test_an_unknown_customer_is_explained_on_the_page(client: TestClient, session: Session) -> None:
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin.email)
    token = csrf_from(client.get("/privacy").text)

    answer = client.post(
        "/privacy/requests", data={"customer_id": 987654, "kind": "erasure", "csrf_token": token}
    )

    assert answer.status_code == 404
    assert "customer 987654 does not exist" in answer.text.lower()


def test_agents_may_not_open_the_privacy_pages(client: TestClient, session: Session) -> None:
    agent = make_user(session, role=Role.agent)
    sign_in(client, agent.email)

    assert client.get("/privacy").status_code == 403
    assert client.get("/privacy/audit").status_code == 403
