"""Measuring from the operational database: extract the one table a metric needs, run it.

The default engine is an embedded DuckDB fed through Arrow from the caller's session (see
:mod:`cxloop.insights.facts` for why not a database scanner). Large installations point the
same expressions at a lake, PostgreSQL or Spark through :mod:`cxloop.insights.engines`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.insights.engines import in_memory
from cxloop.insights.facts import extract
from cxloop.insights.query import MetricQuery, run
from cxloop.insights.schemas import MetricResult


def measure(session: Session, query: MetricQuery, *, min_n: int) -> MetricResult:
    table = query.metric.table
    return run(query, in_memory({table: extract(session, table)}), min_n=min_n)
