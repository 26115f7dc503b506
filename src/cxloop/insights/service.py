"""Measuring from the operational database: extract the tables the metrics need, run them.

The default engine is an embedded DuckDB fed through Arrow from the caller's session (see
:mod:`cxloop.insights.facts` for why not a database scanner). Large installations point the
same expressions at a lake, PostgreSQL or Spark through :mod:`cxloop.insights.engines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.insights.case_facts import AsOf
from cxloop.insights.engines import in_memory
from cxloop.insights.facts import extract
from cxloop.insights.journeys import Funnel, check_stages, funnel
from cxloop.insights.query import MetricQuery, run
from cxloop.insights.schemas import MetricResult
from cxloop.interactions import JourneyStage


def measure_all(
    session: Session, queries: Sequence[MetricQuery], *, min_n: int, as_of: AsOf | None = None
) -> list[MetricResult]:
    """Several queries (a dashboard) reading each table once, in one embedded engine."""
    names = {query.metric.table for query in queries}
    tables = in_memory({name: extract(session, name, as_of) for name in sorted(names)})
    return [run(query, tables, min_n=min_n) for query in queries]


def measure(
    session: Session, query: MetricQuery, *, min_n: int, as_of: AsOf | None = None
) -> MetricResult:
    return measure_all(session, [query], min_n=min_n, as_of=as_of)[0]


def stage_keys(session: Session) -> list[str]:
    """The company's journey stages in their order."""
    return list(session.scalars(select(JourneyStage.key).order_by(JourneyStage.position)))


def journey_funnel(
    session: Session, *, stages: Sequence[str], start: datetime, end: datetime
) -> Funnel:
    known = stage_keys(session)
    chosen = check_stages(stages, known)
    return funnel(in_memory({"interactions": extract(session, "interactions")}), chosen, start, end)
