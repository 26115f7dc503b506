"""Journeys and drivers computed from the dashboard's snapshot of the analytic tables (what
the pages read) are the figures computed from the operational database (what the API reads)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cxloop.insights import (
    SOURCES,
    AsOf,
    Snapshot,
    Sources,
    drivers_of,
    journey_report,
    read_sources,
)
from cxloop.types import utcnow
from tests.web.test_journey_pages import callers_and_others


def test_the_snapshots_tables_are_the_extracted_ones_and_give_the_same_figures(
    session: Session,
) -> None:
    callers_and_others(session)
    snapshot = Snapshot(refresh_seconds=0)
    kept = Sources(**snapshot.read_tables(session, SOURCES, AsOf(now=utcnow())))
    direct = read_sources(session)
    assert kept.interactions.num_rows == 48  # 24 touchpoints and 24 answers
    assert kept.interactions.to_pylist() == direct.interactions.to_pylist()
    assert kept.responses.to_pylist() == direct.responses.to_pylist()

    end = datetime.now(UTC)
    window = {"start": end - timedelta(weeks=4), "end": end, "min_n": 5}
    assert journey_report(session, sources=kept, **window) == journey_report(session, **window)
    assert drivers_of(session, metric="nps", sources=kept, **window) == drivers_of(
        session, metric="nps", **window
    )
