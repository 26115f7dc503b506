"""Segment-compatible ingest over HTTP: auth, encodings, limits, partial batches, replays."""

from __future__ import annotations

import base64
import gzip

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction, create_source
from cxloop.privacy import consent_history, has_consent

PROBLEM = "application/problem+json"


@pytest.fixture
def write_key(session: Session) -> str:
    _source, key = create_source(session, name="website", default_channel="web")
    session.commit()
    return key


def basic(write_key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()}


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Interaction)) or 0


def track(message_id: str, **extra: object) -> dict:
    return {
        "type": "track",
        "event": "Plan Viewed",
        "userId": "u1",
        "messageId": message_id,
        **extra,
    }


def test_track_is_stored_before_the_answer(
    client: TestClient, session: Session, write_key: str
) -> None:
    response = client.post("/v1/track", json=track("m1"), headers=basic(write_key))
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert session.scalars(select(Interaction.type)).all() == ["Plan Viewed"]


@pytest.mark.parametrize("call", ["identify", "page", "screen", "group", "alias"])
def test_every_segment_call_is_accepted(
    client: TestClient, session: Session, write_key: str, call: str
) -> None:
    body = {
        "userId": "u1",
        "messageId": f"{call}-1",
        "previousId": "old",
        "groupId": "g",
        "name": "Home",
    }
    response = client.post(f"/v1/{call}", json=body, headers=basic(write_key))
    assert response.status_code == 200, response.text
    assert session.scalars(select(Interaction.type)).all() == [call]


def test_batch_stores_valid_events_and_reports_invalid_ones(
    client: TestClient, session: Session, write_key: str
) -> None:
    batch = {"batch": [track("a"), {"type": "track", "event": "X"}, track("b"), "nonsense"]}
    response = client.post("/v1/batch", json=batch, headers=basic(write_key))
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["accepted"] == 2
    assert [e["index"] for e in problem["errors"]] == [1, 3]
    assert stored(session) == 2


def test_replayed_batch_creates_no_duplicates(
    client: TestClient, session: Session, write_key: str
) -> None:
    batch = {"batch": [track("a"), track("b")]}
    for _ in range(3):
        assert client.post("/v1/batch", json=batch, headers=basic(write_key)).status_code == 200
    assert stored(session) == 2


def test_gzip_bodies_are_accepted(client: TestClient, session: Session, write_key: str) -> None:
    body = gzip.compress(orjson.dumps({"batch": [track("g1")]}))
    headers = {**basic(write_key), "Content-Type": "application/json", "Content-Encoding": "gzip"}
    assert client.post("/v1/batch", content=body, headers=headers).status_code == 200
    assert stored(session) == 1


def test_write_key_may_travel_in_the_body(
    client: TestClient, session: Session, write_key: str
) -> None:
    response = client.post("/v1/batch", json={"batch": [track("w1")], "writeKey": write_key})
    assert response.status_code == 200
    assert stored(session) == 1


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Content-Type": "application/json"}, b"{not json", 400),
        ({"Content-Type": "application/xml"}, b"<track/>", 415),
        ({"Content-Type": "application/json"}, b"", 422),
        ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"not gzip", 422),
    ],
)
def test_bad_bodies_are_problem_json(
    client: TestClient, session: Session, write_key: str, headers: dict, body: bytes, status: int
) -> None:
    response = client.post("/v1/track", content=body, headers={**basic(write_key), **headers})
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"]
    assert stored(session) == 0


def test_unknown_write_key_is_401(client: TestClient, session: Session) -> None:
    response = client.post("/v1/track", json=track("x"), headers=basic("wk_0000_nope"))
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    missing = client.post("/v1/track", json=track("x"))
    assert missing.status_code == 401


def test_oversize_event_and_batch_are_413(
    client: TestClient, session: Session, write_key: str
) -> None:
    big = track("big", properties={"blob": "x" * 33_000})
    assert client.post("/v1/track", json=big, headers=basic(write_key)).status_code == 413
    in_batch = client.post(
        "/v1/batch", json={"batch": [big, track("ok")]}, headers=basic(write_key)
    )
    assert in_batch.status_code == 400
    assert in_batch.json()["errors"][0]["index"] == 0
    huge = {"batch": [track(f"h{i}", properties={"blob": "y" * 20_000}) for i in range(30)]}
    assert client.post("/v1/batch", json=huge, headers=basic(write_key)).status_code == 413
    assert stored(session) == 1


def test_preflight_allows_browsers(client: TestClient) -> None:
    response = client.options("/v1/batch")
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"


def test_webhook_payload_is_mapped_by_the_source_mapping(
    client: TestClient, session: Session
) -> None:
    mapping = {
        "items": "tickets",
        "fields": {
            "message_id": "join('-', ['desk', to_string(id)])",
            "email": "requester.email",
            "type": "'ticket_created'",
            "occurred_at": "created_at",
            "channel": "via",
            "text": "description",
            "properties": "{priority: priority}",
        },
        "values": {"channel": {"voice": "phone"}},
        "defaults": {"stage": "support"},
    }
    _source, key = create_source(session, name="help desk", kind="webhook", mapping=mapping)
    session.commit()
    payload = {
        "tickets": [
            {
                "id": 7,
                "requester": {"email": "a@b.com"},
                "via": "voice",
                "created_at": "2026-05-01T10:00:00Z",
                "description": "My bill doubled",
                "priority": "high",
            },
            {"id": 8, "requester": {"email": "not-an-email"}, "via": "email"},
        ]
    }
    response = client.post("/v1/webhook", json=payload, headers=basic(key))
    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] == 1
    row = session.scalars(select(Interaction)).one()
    assert (row.message_id, row.channel, row.stage, row.text) == (
        "desk-7",
        "phone",
        "support",
        "My bill doubled",
    )
    assert row.properties == {"priority": "high"}


def test_consent_sent_with_events_is_recorded_and_honoured(
    client: TestClient, session: Session, write_key: str
) -> None:
    consent = {"consent": {"categoryPreferences": {"Advertising": True, "Analytics": False}}}
    for n in range(2):
        response = client.post(
            "/v1/track", json=track(f"c{n}", context=consent), headers=basic(write_key)
        )
        assert response.status_code == 200

    customer_id = session.scalars(select(Interaction.customer_id)).first()
    assert customer_id is not None
    assert has_consent(session, customer_id=customer_id, purpose="marketing")
    assert not has_consent(session, customer_id=customer_id, purpose="analytics")
    assert len(consent_history(session, customer_ids=[customer_id])) == 2
