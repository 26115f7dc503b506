from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.privacy import AuditEntry
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer, merge_into
from tests.interactions.factories import START, make_interaction, make_timeline

PROBLEM = "application/problem+json"


@pytest.fixture
def auth(session: Session) -> dict[str, str]:
    """An agent's read-only token: agents see personal data (pii.read)."""
    return bearer(make_token(session, role=Role.agent, scopes=["read"]))


@pytest.fixture
def viewer(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.viewer, scopes=["read"]))


@pytest.fixture
def ann(session: Session):
    return make_customer(
        session,
        name="Ann Lee",
        email="ann@example.com",
        phone="+442071838750",
        identities=[("user_id", "u-42")],
        traits={"plan": "gold"},
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers",
        "/api/v1/customers/1",
        "/api/v1/customers/1/timeline",
        "/api/v1/customers/1/journey",
    ],
)
def test_every_endpoint_needs_authentication(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_bad_token_is_refused(client: TestClient) -> None:
    response = client.get("/api/v1/customers", headers=bearer("cxl_nope_nope"))
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("q", ["ANN@example.com", "+44 20 7183 8750", "u-42", "ann"])
def test_search_by_email_phone_user_id_or_name(client: TestClient, auth, ann, q: str) -> None:
    response = client.get("/api/v1/customers", params={"q": q}, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body["items"]] == [ann.id]
    assert body["next_cursor"] is None
    assert {"kind": "user_id", "namespace": "", "value": "u-42"} in body["items"][0]["identities"]


def test_search_pages_with_a_cursor(client: TestClient, session: Session, auth) -> None:
    made = [make_customer(session, name=f"Walker {i}").id for i in range(5)]
    first = client.get("/api/v1/customers", params={"q": "walker", "limit": 3}, headers=auth).json()
    second = client.get(
        "/api/v1/customers",
        params={"q": "walker", "limit": 3, "cursor": first["next_cursor"]},
        headers=auth,
    ).json()
    assert [c["id"] for c in first["items"] + second["items"]] == sorted(made, reverse=True)
    assert second["next_cursor"] is None


def test_read_one_customer(client: TestClient, auth, ann) -> None:
    response = client.get(f"/api/v1/customers/{ann.id}", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == ann.id
    assert (body["name"], body["email"], body["phone"]) == (
        "Ann Lee",
        "ann@example.com",
        "+442071838750",
    )
    assert body["traits"] == {"plan": "gold"}
    assert "Content-Location" not in response.headers


def test_unknown_customer_is_a_404_problem(client: TestClient, auth) -> None:
    for suffix in ("", "/timeline", "/journey"):
        response = client.get(f"/api/v1/customers/99999999{suffix}", headers=auth)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert "99999999" in response.json()["detail"]


def test_timeline_pages_cover_every_interaction_exactly_once(
    client: TestClient, session: Session, auth, ann
) -> None:
    made = make_timeline(session, customer_id=ann.id, count=23, same_time_every=3)
    seen: list[int] = []
    params: dict[str, object] = {"limit": 4}
    pages = 0
    while True:
        response = client.get(f"/api/v1/customers/{ann.id}/timeline", params=params, headers=auth)
        assert response.status_code == 200
        body = response.json()
        pages += 1
        seen += [i["id"] for i in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert pages == 6
    assert sorted(seen) == sorted(i.id for i in made)
    assert len(seen) == len(set(seen))
    expected = sorted(made, key=lambda i: (i.occurred_at, i.id), reverse=True)
    assert seen == [i.id for i in expected]


def test_timeline_items_have_the_full_shape(
    client: TestClient, session: Session, auth, ann
) -> None:
    make_timeline(session, customer_id=ann.id, count=1)
    (item,) = client.get(f"/api/v1/customers/{ann.id}/timeline", headers=auth).json()["items"]
    assert set(item) == {
        "id",
        "message_id",
        "customer_id",
        "source_id",
        "channel",
        "stage",
        "direction",
        "assisted",
        "agent",
        "department_id",
        "type",
        "occurred_at",
        "received_at",
        "text",
        "text_hidden",
        "properties",
    }
    assert item["customer_id"] == ann.id
    assert item["occurred_at"].startswith("2024-01-01T09:00:00")


def test_timeline_filters(client: TestClient, session: Session, auth, ann) -> None:
    make_timeline(session, customer_id=ann.id, count=30)
    url = f"/api/v1/customers/{ann.id}/timeline"

    def items(**params: object) -> list[dict]:
        response = client.get(url, params={"limit": 200, **params}, headers=auth)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    assert {i["channel"] for i in items(channel=["email", "chat"])} == {"email", "chat"}
    assert len(items(channel=["email", "chat"])) == 12
    assert {i["stage"] for i in items(stage="purchase")} == {"purchase"}
    assert len(items(type="Order Completed")) == 8
    since = (START + timedelta(hours=5)).isoformat()
    until = (START + timedelta(hours=8)).isoformat()
    window = items(since=since, until=until)
    assert [i["occurred_at"][:19] for i in window] == [
        "2024-01-01T16:00:00",
        "2024-01-01T15:00:00",
        "2024-01-01T14:00:00",
    ]


def test_bad_cursor_and_limit_are_422_problems(client: TestClient, auth, ann) -> None:
    url = f"/api/v1/customers/{ann.id}/timeline"
    bad_cursor = client.get(url, params={"cursor": "garbage!"}, headers=auth)
    assert bad_cursor.status_code == 422
    assert bad_cursor.headers["content-type"] == PROBLEM
    assert bad_cursor.json()["field"] == "cursor"
    too_many = client.get(url, params={"limit": 1000}, headers=auth)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "limit"


def test_a_merged_id_answers_with_the_survivor(
    client: TestClient, session: Session, auth, ann
) -> None:
    duplicate = make_customer(session, name="Ann L.")
    merge_into(session, duplicate, ann)
    make_timeline(session, customer_id=ann.id, count=3)

    response = client.get(f"/api/v1/customers/{duplicate.id}", headers=auth)
    assert response.status_code == 200
    assert response.json()["id"] == ann.id
    assert response.headers["content-location"] == f"/api/v1/customers/{ann.id}"

    timeline = client.get(f"/api/v1/customers/{duplicate.id}/timeline", headers=auth)
    assert [i["customer_id"] for i in timeline.json()["items"]] == [ann.id] * 3
    assert timeline.headers["content-location"] == f"/api/v1/customers/{ann.id}/timeline"

    journey = client.get(f"/api/v1/customers/{duplicate.id}/journey", headers=auth)
    assert journey.json()["customer_id"] == ann.id
    assert journey.json()["total"] == 3

    search = client.get("/api/v1/customers", params={"q": "Ann L"}, headers=auth).json()
    assert [c["id"] for c in search["items"]] == [ann.id]


def test_journey(client: TestClient, session: Session, auth, ann) -> None:
    make_timeline(session, customer_id=ann.id, count=10)
    body = client.get(f"/api/v1/customers/{ann.id}/journey", headers=auth).json()
    assert body["total"] == 10
    assert [s["stage"] for s in body["stages"]] == [
        "awareness",
        "consideration",
        "purchase",
        "onboarding",
    ]
    assert sum(s["count"] for s in body["stages"]) == 10
    assert sum(c["count"] for c in body["channels"]) == 10
    assert body["first_at"].startswith("2024-01-01T09:00:00")


def test_endpoints_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}",
        "/api/v1/customers/{customer_id}/timeline",
        "/api/v1/customers/{customer_id}/journey",
    ):
        assert "get" in paths[path]


def test_a_viewer_finds_customers_but_sees_their_personal_data_masked(
    client: TestClient, viewer: dict[str, str], ann
) -> None:
    found = client.get("/api/v1/customers", params={"q": "ann@example.com"}, headers=viewer)
    profile = client.get(f"/api/v1/customers/{ann.id}", headers=viewer).json()

    assert [c["id"] for c in found.json()["items"]] == [ann.id]
    assert (profile["name"], profile["email"], profile["phone"]) == (
        "A. L.",
        "a•••@example.com",
        "+44•••50",
    )
    assert profile["traits"] == {} and profile["masked"] is True
    assert "u-42" not in str(profile) and "ann@" not in found.text


def test_texts_are_withheld_from_roles_without_raw_text(
    client: TestClient, session: Session, auth: dict[str, str], viewer: dict[str, str], ann
) -> None:
    make_interaction(session, customer_id=ann.id, text="My address is 1 High Street")

    hidden = client.get(f"/api/v1/customers/{ann.id}/timeline", headers=viewer).json()["items"]
    shown = client.get(f"/api/v1/customers/{ann.id}/timeline", headers=auth).json()["items"]

    assert (hidden[0]["text"], hidden[0]["text_hidden"]) == (None, True)
    assert shown[0]["text"] == "My address is 1 High Street"


def test_an_unmasked_profile_view_is_audited(
    client: TestClient, session: Session, auth: dict[str, str], ann
) -> None:
    client.get(f"/api/v1/customers/{ann.id}", headers=auth)

    viewed = session.scalars(
        select(AuditEntry.target_id).where(AuditEntry.action == "pii.viewed")
    ).all()
    assert viewed == [str(ann.id)]


def test_an_id_beyond_64_bits_is_bad_input_not_a_server_error(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get(f"/api/v1/customers/{2**70}", headers=auth)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "out of range" in response.json()["detail"]
