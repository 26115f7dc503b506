"""``/api/v1/metrics``: the metric catalogue and any metric by dimension, time and filter.

Reading needs any role. Names of metrics, dimensions and filters are checked against the
catalogue, so a typo answers 404/422 naming what was wrong instead of an empty chart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.api.deps import Reader, SessionDep, SettingsDep
from cxloop.insights import (
    MetricRead,
    MetricResult,
    describe,
    measure,
    metric_named,
    metrics,
    parse_query,
)

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get("", response_model=list[MetricRead])
def list_metrics(_principal: Reader) -> list[MetricRead]:
    """Every metric's definition: formula, population, unit, owner, version, dimensions."""
    return [describe(m) for m in metrics()]


@router.get("/{name}", response_model=MetricResult)
def read_metric(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    _principal: Reader,
    by: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma-separated dimensions, with at most one of day, week, month "
            "(e.g. channel,week).",
        ),
    ] = None,
    filter: Annotated[
        list[str],
        Query(description="dimension:value or dimension:a|b; repeat for several dimensions."),
    ] = [],  # noqa: B006
    start: Annotated[
        datetime | None, Query(alias="from", description="Window start (default: 90 days ago).")
    ] = None,
    end: Annotated[
        datetime | None, Query(alias="to", description="Window end (default: now).")
    ] = None,
) -> MetricResult:
    """The metric over the window and per group, each with n, a 95% interval and the change
    against the previous window (or time bucket) with its p-value."""
    query = parse_query(
        metric_named(name),
        by=(by or "").split(","),
        filters=filter,
        start=start,
        end=end,
    )
    return measure(session, query, min_n=settings.metrics_min_n)
