"""The queue runs registered jobs with validated payloads, retries failures, and enriches
interactions once the request that stored them has committed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Connection, select

from cxloop.app import create_app
from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.jobs import JOBS, Job, JobContext, Queue, register
from cxloop.jobs.queue import make_huey
from cxloop.understanding import get_enrichment
from tests.accounts.factories import bearer, make_token
from tests.understanding.factories import settings_for


class Count(BaseModel):
    failures: int


ATTEMPTS: list[int] = []


def flaky(context: JobContext, payload: Count) -> None:
    """Fails ``failures`` times, then succeeds: what a retry must survive."""
    ATTEMPTS.append(payload.failures)
    if len(ATTEMPTS) <= payload.failures:
        raise RuntimeError("transient")


FLAKY = JOBS.get("test.flaky") or register(Job("test.flaky", Count, flaky, retry_delay_s=0))


@pytest.fixture
def memory_queue(connection: Connection, tmp_path: Path) -> Queue:
    return Queue(settings_for(tmp_path, jobs_url="memory"), bind=connection)


def test_payloads_are_validated_when_queued(memory_queue: Queue) -> None:
    with pytest.raises(ValidationFailed, match="no job"):
        memory_queue.enqueue("nope", {})
    with pytest.raises(ValueError, match="failures"):
        memory_queue.enqueue(FLAKY.name, {"failures": "many"})
    with pytest.raises(ValueError, match="interaction_ids or message_ids"):
        memory_queue.enqueue("understanding.enrich", {})


def test_a_failing_job_is_retried_until_it_succeeds(memory_queue: Queue) -> None:
    ATTEMPTS.clear()
    memory_queue.enqueue(FLAKY.name, Count(failures=2))
    assert len(ATTEMPTS) == 3


def test_backends_follow_the_setting(tmp_path: Path) -> None:
    assert type(make_huey(settings_for(tmp_path))).__name__ == "SqliteHuey"
    assert (tmp_path / "jobs.db").exists()
    assert (
        make_huey(settings_for(tmp_path, jobs_url="redis://127.0.0.1:6379/5")).__class__.__name__
        == "RedisHuey"
    )
    with pytest.raises(ValidationFailed, match="redis"):
        make_huey(settings_for(tmp_path, jobs_url="amqp://x"))


@pytest.fixture
def enriching_client(connection: Connection, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(settings_for(tmp_path, jobs_url="memory"), engine=connection, migrate=False)
    with TestClient(app) as client:
        yield client


def test_interactions_recorded_over_http_are_enriched_after_commit(
    enriching_client: TestClient, session
) -> None:
    auth = bearer(make_token(session))
    response = enriching_client.post(
        "/api/v1/interactions",
        json={
            "customer": {"email": "ann@example.com"},
            "channel": "email",
            "type": "email",
            "text": "My parcel never arrived and nobody answers. I want a refund.",
        },
        headers=auth,
    )
    assert response.status_code in (200, 201), response.text
    message_id = response.json()["message_id"]
    interaction = session.scalar(select(Interaction).where(Interaction.message_id == message_id))
    enrichment = get_enrichment(session, interaction.id)
    assert enrichment is not None
    assert enrichment.status == "done" and enrichment.sentiment == "negative"


def test_an_unreachable_queue_does_not_fail_a_committed_write(
    connection: Connection, session, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, jobs_url="redis://127.0.0.1:1/0")  # nothing listens there
    app = create_app(settings, engine=connection, migrate=False)
    with TestClient(app) as client:
        response = client.post(
            "/api/v1/interactions",
            json={
                "customer": {"email": "bo@example.com"},
                "channel": "chat",
                "type": "chat",
                "text": "Hello, is anyone there?",
            },
            headers=bearer(make_token(session)),
        )
    assert response.status_code == 201, response.text
    message_id = response.json()["message_id"]
    stored = session.scalar(select(Interaction).where(Interaction.message_id == message_id))
    assert stored is not None and get_enrichment(session, stored.id) is None
