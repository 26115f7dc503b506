"""A real ``cxloop worker`` process takes enrichment jobs from the SQLite queue (the embedded
default) and from Redis, and commits the enrichments to the database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cxloop.customers import key
from cxloop.interactions import InteractionIn, store_interactions
from cxloop.jobs import ENRICH, EnrichPayload, Queue
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from cxloop.understanding import Enrichment
from tests.understanding.factories import MODEL_DIR, settings_for

pytestmark = pytest.mark.slow
REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


def record(session: Session, text: str) -> str:
    message_id = f"worker-{uuid.uuid4()}"
    now = datetime.now(UTC)
    result = store_interactions(
        session,
        [
            InteractionIn(
                message_id=message_id,
                type="email",
                channel="email",
                occurred_at=now,
                received_at=now,
                identities=[key("email", "ann@example.com")],
                text=text,
            )
        ],
    )
    assert result.stored == 1
    return message_id


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_worker_enriches_queued_interactions(tmp_path: Path, backend: str) -> None:
    if backend == "redis" and not redis_reachable():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    jobs_url = f"redis://{REDIS[0]}:{REDIS[1]}/13" if backend == "redis" else None
    settings = settings_for(tmp_path, jobs_url=jobs_url)
    url = settings.resolved_database_url
    upgrade(url)
    engine = make_engine(url)
    queue = Queue(settings, bind=engine)
    queue.huey.flush()
    with unit_of_work(engine) as session:
        message_id = record(session, "The parcel arrived broken and support never replied.")
    queue.enqueue(ENRICH.name, EnrichPayload(message_ids=[message_id]))
    assert queue.pending() == 1

    env = {
        **os.environ,
        "CXLOOP_DATA_DIR": str(tmp_path),
        "CXLOOP_DATABASE_URL": "",
        "CXLOOP_MODEL_DIR": str(MODEL_DIR),
        "CXLOOP_JOBS_URL": jobs_url or "",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "cxloop.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        enrichment = None
        deadline = time.monotonic() + 90
        while enrichment is None and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
            time.sleep(0.5)
            with unit_of_work(engine, write=False) as session:
                enrichment = session.query(Enrichment).one_or_none()
                if enrichment is not None:
                    assert enrichment.status == "done"
                    assert enrichment.sentiment == "negative"
        assert enrichment is not None, "the worker did not enrich the interaction in time"
        # A first enrichment queues the cases' opening check; the worker drains that too.
        while queue.pending() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert queue.pending() == 0
    finally:
        worker.send_signal(signal.SIGINT)
        worker.communicate(timeout=30)
        engine.dispose()
