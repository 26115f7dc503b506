"""The demo shows a finished experiment: a callback after a detractor score, its exposures on
the timelines, stopped with its verdict."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cxloop.demo import load_demo
from cxloop.experiments import EXPOSURE_TYPE, Assignment, Experiment, results
from cxloop.interactions import Interaction
from cxloop.settings import get_settings

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_demo_has_a_stopped_callback_experiment_with_a_verdict(
    connection: Connection,
) -> None:
    loaded = load_demo(connection, password="demo-password-1", seed=5, customers=80, now=NOW)
    with Session(connection) as session:
        (experiment,) = session.scalars(select(Experiment))
        exposed = session.scalar(select(func.count()).where(Assignment.exposed_at.is_not(None)))
        on_timelines = session.scalar(select(func.count()).where(Interaction.type == EXPOSURE_TYPE))
        found = results(session, experiment, now=NOW)
    assert loaded.experiment_id == experiment.id and loaded.counts["experiments"] == 1
    assert experiment.status == "stopped" and experiment.stopped_at == NOW
    assert exposed and exposed == on_timelines
    assert experiment.verdict == found.verdict
    assert found.verdict.startswith(("call raises Net Promoter Score", "No detectable effect"))
    assert [a.name for a in found.arms] == ["control", "call"]
    assert all(a.measured == a.exposed for a in found.arms)
