"""``POST /api/v1/interactions``: agents and systems log calls, visits and chats with text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role, ensure_department
from cxloop.interactions import Interaction
from tests.accounts.factories import bearer, make_token

CALL = {
    "customer": {"email": "Ann@Example.com"},
    "channel": "phone",
    "type": "call",
    "stage": "support",
    "agent": "Sam",
    "department": "billing",
    "text": "Asked why the bill doubled; explained the pro-rata charge.",
    "message_id": "pbx-1",
}


@pytest.fixture
def agent_token(session: Session) -> str:
    ensure_department(session, slug="billing")
    return make_token(session, role=Role.agent)


def test_agent_logs_a_call_with_text(
    client: TestClient, session: Session, agent_token: str
) -> None:
    response = client.post("/api/v1/interactions", json=CALL, headers=bearer(agent_token))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "stored"
    row = session.scalars(select(Interaction).where(Interaction.message_id == "pbx-1")).one()
    assert (row.channel, row.assisted, row.agent, row.text) == ("phone", True, "Sam", CALL["text"])
    again = client.post("/api/v1/interactions", json=CALL, headers=bearer(agent_token))
    assert again.json()["status"] == "duplicate"


def test_bulk_reports_each_result(client: TestClient, session: Session, agent_token: str) -> None:
    body = {
        "interactions": [
            CALL,
            {**CALL, "message_id": "pbx-2", "channel": "fax"},
            {**CALL, "message_id": "pbx-3"},
        ]
    }
    response = client.post("/api/v1/interactions/bulk", json=body, headers=bearer(agent_token))
    assert response.status_code == 200
    page = response.json()
    assert (page["stored"], page["rejected"]) == (2, 1)
    assert [r["status"] for r in page["results"]] == ["stored", "rejected", "stored"]
    assert page["results"][1]["field"] == "channel"


def test_invalid_interaction_is_problem_json(client: TestClient, agent_token: str) -> None:
    response = client.post(
        "/api/v1/interactions", json={**CALL, "customer": {}}, headers=bearer(agent_token)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "name the customer" in response.json()["detail"]


def test_viewers_and_anonymous_callers_cannot_write(client: TestClient, session: Session) -> None:
    viewer = make_token(session, role=Role.viewer)
    assert client.post("/api/v1/interactions", json=CALL, headers=bearer(viewer)).status_code == 403
    assert client.post("/api/v1/interactions", json=CALL).status_code == 401
    read_only = make_token(session, role=Role.agent, scopes=["read"])
    assert (
        client.post("/api/v1/interactions", json=CALL, headers=bearer(read_only)).status_code == 403
    )


def test_admin_creates_a_source_and_sees_its_write_key_once(
    client: TestClient, session: Session
) -> None:
    admin = make_token(session, role=Role.admin)
    created = client.post(
        "/api/v1/sources", json={"name": "shop", "default_channel": "store"}, headers=bearer(admin)
    )
    assert created.status_code == 201
    assert created.json()["write_key"].startswith("wk_")
    listed = client.get("/api/v1/sources", headers=bearer(admin)).json()["items"]
    assert [s["name"] for s in listed] == ["shop"]
    assert "write_key" not in listed[0]
    analyst = make_token(session, role=Role.analyst)
    assert client.get("/api/v1/sources", headers=bearer(analyst)).status_code == 403
