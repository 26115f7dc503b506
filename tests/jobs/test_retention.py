"""The worker applies retention nightly, as the system, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction
from cxloop.jobs import RETENTION, Queue
from cxloop.privacy import AuditEntry, set_policy
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.understanding.factories import settings_for


def test_the_retention_job_applies_every_policy(
    connection: Connection, session: Session, tmp_path: Path
) -> None:
    customer = make_customer(session)
    old = make_interaction(
        session, customer_id=customer.id, occurred_at=utcnow() - timedelta(days=60), text="old"
    )
    set_policy(session, kind="raw_text", days=30, action="anonymize", actor="dpo")
    session.commit()
    queue = Queue(settings_for(tmp_path, jobs_url="memory"), bind=connection)

    queue.run(RETENTION.name, {})

    session.expire_all()
    stripped = session.get(Interaction, old.id)
    assert stripped is not None and stripped.text is None
    actors = session.scalars(
        select(AuditEntry.actor).where(AuditEntry.action == "retention.applied")
    ).all()
    assert actors == ["system:retention"]


def test_the_worker_runs_it_every_night_at_three(tmp_path: Path, connection: Connection) -> None:
    queue = Queue(settings_for(tmp_path), bind=connection)

    due_at_three = queue.huey.read_periodic(datetime(2026, 5, 4, 3, 0, tzinfo=UTC))
    due_at_noon = queue.huey.read_periodic(datetime(2026, 5, 4, 12, 0, tzinfo=UTC))

    assert "privacy.retention.daily" in [t.name for t in due_at_three]
    assert "privacy.retention.daily" not in [t.name for t in due_at_noon]
