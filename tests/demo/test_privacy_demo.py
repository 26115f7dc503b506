"""The demo's privacy record: consent states, a done and a pending request, an audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.demo import load_demo
from cxloop.demo.context import ADMIN_EMAIL
from cxloop.privacy import AuditEntry, ConsentRecord, DataRequest, policies
from cxloop.settings import get_settings


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_demo_shows_consent_requests_retention_and_their_audit_trail(
    connection: Connection,
) -> None:
    load_demo(
        connection,
        password="demo-password-1",
        seed=5,
        customers=60,
        now=datetime(2025, 6, 1, tzinfo=UTC),
    )

    with Session(connection) as session:
        consents = session.scalars(select(ConsentRecord)).all()
        requests = session.scalars(select(DataRequest).order_by(DataRequest.id)).all()
        actions = set(session.scalars(select(AuditEntry.action)))
        policy_authors = set(
            session.scalars(
                select(AuditEntry.actor).where(AuditEntry.action == "retention_policy.created")
            )
        )
        kinds = {p.kind for p in policies(session)}

    assert {(c.purpose, c.granted) for c in consents} >= {("marketing", True), ("marketing", False)}
    assert [(r.kind, r.status) for r in requests] == [
        ("export", "completed"),
        ("erasure", "completed"),
        ("erasure", "received"),
    ]
    assert Path(str(requests[0].archive_path)).is_file()
    assert {
        "request.export.completed",
        "request.erasure.received",
        "retention_policy.created",
    } <= actions
    assert kinds == {"raw_text", "interactions"}
    # The company's setup is in the trail too, as any configuration change is.
    assert {"user.created", "survey.created"} <= actions
    assert policy_authors == {ADMIN_EMAIL}
