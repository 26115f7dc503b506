"""The demo anticipates: a risk model trained on its own history, every customer still here
scored with reasons in words, a detraction model beside it, and retention playbooks that
opened cases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.cases import Case
from cxloop.customers import Customer
from cxloop.demo import load_demo
from cxloop.proactive import DetractionScore, Playbook, RiskScore
from cxloop.settings import get_settings

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_demo_scores_its_customers_and_runs_a_retention_playbook(
    connection: Connection, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    result = load_demo(
        connection, password="demo-password-1", seed=5, customers=80, now=NOW, model_dir=models
    )

    card = json.loads((models / "churn" / "card.json").read_text())
    assert card["timeline"]["label"] == {"trait": "status", "stage": None, "positive": "churned"}
    assert "status" not in [f["name"] for f in card["features"]]
    assert 0.5 < card["cross_validation"]["roc_auc"] <= 1
    with Session(connection) as session:
        scores = list(session.scalars(select(RiskScore).order_by(RiskScore.risk.desc())))
        traits = {c.id: c.traits for c in session.scalars(select(Customer))}
        playbooks = list(session.scalars(select(Playbook).order_by(Playbook.position)))
        detraction = list(session.scalars(select(DetractionScore)))
        retention = list(session.scalars(select(Case).where(Case.origin == "playbook")))
    assert result.counts["risk_scores"] == len(scores) > 50
    assert all(traits[s.customer_id].get("status") != "churned" for s in scores)
    assert any(r["text"] for s in scores[:10] for r in s.reasons)
    assert [p.min_detraction for p in playbooks] == [None, 0.7]
    assert result.counts["retention_cases"] == len(retention) > 0
    assert any(c.subject.startswith("At risk of leaving") for c in retention)
    assert all(c.subject.startswith(("At risk of leaving", "Likely detractor")) for c in retention)
    card = json.loads((models / "detraction" / "card.json").read_text())
    assert card["task"] == "detraction" and card["cross_validation"]["n"] > 20
    assert result.counts["detraction_scores"] == len(detraction) > 50
    assert any(r["text"] for s in detraction for r in s.reasons)
