from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.app import create_app
from cxloop.understanding import enrich_interactions, shared_analyser
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.understanding.factories import MODEL_DIR, path, settings_for

PROBLEM = "application/problem+json"


@pytest.fixture
def api(connection: Connection, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings_for(tmp_path), engine=connection, migrate=False)
    with TestClient(app) as client:
        yield client


def auth(session: Session, role: Role = Role.viewer) -> dict[str, str]:
    return bearer(make_token(session, role=role, scopes=["read", "write"]))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/understand"),
        ("get", "/api/v1/topics"),
        ("post", "/api/v1/topics"),
        ("get", "/api/v1/interactions/1/enrichment"),
    ],
)
def test_every_endpoint_needs_authentication(api: TestClient, method: str, path: str) -> None:
    response = api.request(method, path, json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_understand_texts_now(api: TestClient, session: Session) -> None:
    response = api.post(
        "/api/v1/understand",
        json={
            "texts": [
                "I love the new app, thank you!",
                "Call me on +1 415 555 0132, my lawyer is ready",
                "Merci pour votre aide, tout fonctionne très bien",
            ]
        },
        headers=auth(session),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    happy, threat, french = body["results"]
    assert happy["sentiment"] == "positive" and happy["emotion"] == "joy"
    assert "[PHONE]" in threat["redacted"] and "555" not in threat["redacted"]
    assert threat["urgency"] == "high" and "legal" in threat["signals"]
    assert french["status"] == "unsupported_language" and french["language"] == "fr"
    assert body["model_versions"]["sentiment"].startswith("sentiment-")


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"texts": []}, 422, "texts"),
        ({"texts": "not a list"}, 422, "texts"),
        ({}, 422, "texts"),
        ({"texts": ["x" * 60_000, "y" * 60_000]}, 413, None),
    ],
)
def test_bad_requests_are_problems(
    api: TestClient, session: Session, payload: dict[str, object], status: int, field: str | None
) -> None:
    response = api.post("/api/v1/understand", json=payload, headers=auth(session))
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    if field:
        assert response.json()["detail"].startswith(field)


def test_admins_edit_the_taxonomy_others_read_it(api: TestClient, session: Session) -> None:
    admin, viewer = auth(session, Role.admin), auth(session, Role.viewer)
    created = api.post(
        "/api/v1/topics",
        json={"name": "Billing", "description": "invoices and charges"},
        headers=admin,
    )
    assert created.status_code == 201
    billing = created.json()
    child = api.post(
        "/api/v1/topics",
        json={
            "name": "Unexpected charge",
            "parent_id": billing["id"],
            "examples": ["charged twice"],
        },
        headers=admin,
    ).json()
    assert child["path"] == path("Billing", "Unexpected charge")
    assert api.post("/api/v1/topics", json={"name": "X"}, headers=viewer).status_code == 403
    listed = api.get("/api/v1/topics", headers=viewer).json()
    assert [t["path"] for t in listed] == ["Billing", path("Billing", "Unexpected charge")]
    moved = api.patch(
        f"/api/v1/topics/{billing['id']}", json={"parent_id": child["id"]}, headers=admin
    )
    assert moved.status_code == 422 and moved.headers["content-type"] == PROBLEM
    twin = api.post("/api/v1/topics", json={"name": " billing "}, headers=admin)
    assert twin.status_code == 409 and twin.json()["field"] == "name"
    blank = api.post("/api/v1/topics", json={"name": "  "}, headers=admin)
    assert blank.status_code == 422 and "a topic needs a name" in blank.json()["detail"]
    orphan = api.post("/api/v1/topics", json={"name": "O", "parent_id": 999999}, headers=admin)
    assert orphan.status_code == 422 and orphan.json()["field"] == "parent_id"
    assert api.get("/api/v1/topics/999999", headers=viewer).status_code == 404
    assert api.delete(f"/api/v1/topics/{billing['id']}", headers=admin).status_code == 204
    assert api.get("/api/v1/topics", headers=viewer).json() == []


def test_raw_text_only_for_roles_that_handle_personal_data(
    api: TestClient, session: Session
) -> None:
    customer = make_customer(session, email="ann@example.com")
    text = "My card 4111 1111 1111 1111 was charged twice"
    interaction = make_interaction(session, customer_id=customer.id, text=text)
    path = f"/api/v1/interactions/{interaction.id}/enrichment"
    assert api.get(path, headers=auth(session, Role.admin)).status_code == 404  # not yet
    enrich_interactions(session, shared_analyser(MODEL_DIR), [interaction.id])
    as_agent = api.get(path, headers=auth(session, Role.agent)).json()
    as_viewer = api.get(path, headers=auth(session, Role.viewer)).json()
    assert as_agent["text"] == text
    assert as_viewer["text"] is None
    assert "4111" not in as_viewer["redacted"] and "[CARD]" in as_viewer["redacted"]
    assert as_viewer["sentiment"] == "negative"
