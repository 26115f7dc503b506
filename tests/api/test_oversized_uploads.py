"""Uploads past their limit get a 413 problem+json that names the limit, and store nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.api.inbound import MAX_EMAIL_BYTES
from cxloop.cases import CaseMessage
from cxloop.interactions import Interaction, create_source
from tests.api.test_ingest import basic, track

PROBLEM = "application/problem+json"


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_an_oversized_ingest_batch_is_a_413_problem_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    _source, key = create_source(session, name="site")
    huge = {"batch": [track(f"h{i}", properties={"blob": "y" * 20_000}) for i in range(30)]}

    answer = client.post("/v1/batch", json=huge, headers=basic(key))

    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    assert "bytes" in answer.json()["detail"]
    assert _count(session, Interaction) == 0


def test_an_oversized_inbound_email_is_a_413_problem_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    _source, key = create_source(session, name="mail provider", kind="webhook")
    raw = b"From: a@example.com\r\nSubject: big\r\n\r\n" + b"x" * (MAX_EMAIL_BYTES + 1)

    answer = client.post(
        "/api/v1/inbound/email",
        content=raw,
        headers={"content-type": "message/rfc822"},
        auth=(key, ""),
    )

    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    assert str(MAX_EMAIL_BYTES) in answer.json()["detail"]
    assert (_count(session, Interaction), _count(session, CaseMessage)) == (0, 0)
