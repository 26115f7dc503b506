"""The demo closes the loop: set-up a team lead would make, and cases its rules opened."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cxloop.cases import Case, CaseEvent, CaseRule, RoutingRule, SlaPolicy
from cxloop.demo import load_demo
from cxloop.settings import get_settings

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_demo_has_routing_slas_and_worked_cases(connection: Connection) -> None:
    result = load_demo(connection, password="demo-password-1", seed=5, customers=80, now=NOW)

    with Session(connection) as session:
        statuses = set(session.scalars(select(Case.status)))
        opened_by_rules = session.scalar(select(func.count()).where(Case.origin == "rule"))
        with_deadline = session.scalar(
            select(func.count()).where(Case.first_response_due.is_not(None))
        )
        answered = session.scalar(select(func.count()).where(CaseEvent.kind == "first_response"))
        set_up = [
            session.scalar(select(func.count()).select_from(model))
            for model in (CaseRule, RoutingRule, SlaPolicy)
        ]
    # Every case was opened by a rule, but the retention playbook's (the proactive step).
    assert result.counts["cases"] - result.counts["retention_cases"] == opened_by_rules > 0
    assert result.case_id is not None
    assert len(statuses) >= 2 and with_deadline and answered
    assert all(set_up)
