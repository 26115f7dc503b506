"""``/api/v1/metrics``: the metric catalogue and any metric by dimension, time and filter.

Reading needs any role. Names of metrics, dimensions and filters are checked against the
catalogue, so a typo answers 404/422 naming what was wrong instead of an empty chart.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from cxloop.api.deps import MetricsRead, SessionDep, SettingsDep
from cxloop.insights import (
    AsOf,
    MetricRead,
    MetricResult,
    describe,
    measure,
    metric_named,
    metrics,
    parse_query,
    write_result,
)
from cxloop.settings import Settings
from cxloop.store.tabular import MEDIA_TYPES

router = APIRouter(prefix="/metrics", tags=["metrics"])


@router.get("", response_model=list[MetricRead])
def list_metrics(_principal: MetricsRead) -> list[MetricRead]:
    """Every metric's definition: formula, population, unit, owner, version, dimensions."""
    return [describe(m) for m in metrics()]


Filters = Annotated[
    list[str],
    Query(description="dimension:value or dimension:a|b; repeat for several dimensions."),
]
By = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Comma-separated dimensions, with at most one of day, week, month "
        "(e.g. channel,week).",
    ),
]
Start = Annotated[
    datetime | None, Query(alias="from", description="Window start (default: 90 days ago).")
]
End = Annotated[datetime | None, Query(alias="to", description="Window end (default: now).")]


def _result(
    session: Session,
    settings: Settings,
    name: str,
    by: str | None,
    filters: list[str],
    start: datetime | None,
    end: datetime | None,
) -> MetricResult:
    query = parse_query(
        metric_named(name), by=(by or "").split(","), filters=filters, start=start, end=end
    )
    return measure(session, query, min_n=settings.metrics_min_n, as_of=AsOf.of(settings))


@router.get("/{name}", response_model=MetricResult)
def read_metric(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    by: By = None,
    filter: Filters = [],  # noqa: B006
    start: Start = None,
    end: End = None,
) -> MetricResult:
    """The metric over the window and per group, each with n, a 95% interval and the change
    against the previous window (or time bucket) with its p-value."""
    return _result(session, settings, name, by, filter, start, end)


@router.get("/{name}/export")
def export_metric(
    name: str,
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    format: Annotated[Literal["csv", "jsonl", "parquet", "xlsx"], Query()] = "csv",
    by: By = None,
    filter: Filters = [],  # noqa: B006
    start: Start = None,
    end: End = None,
) -> Response:
    """The same numbers as a file: the total, then one row per group."""
    result = _result(session, settings, name, by, filter, start, end)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"{name}.{format}"
        write_result(result, path, format)
        content = path.read_bytes()
    return Response(
        content,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )
