"""``/api/v1/drivers``: what moves NPS or CSAT most, with intervals. Thin: parse, call."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Query

from cxloop.api.deps import MetricsRead, SessionDep, SettingsDep
from cxloop.api.journeys import End, Start, window
from cxloop.errors import NotFound
from cxloop.insights import DRIVER_METRICS, DriverMetric, Drivers, drivers_of

router = APIRouter(prefix="/drivers", tags=["drivers"])


@router.get("/{metric}", response_model=Drivers)
def read_drivers(
    metric: str,
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    stage: Annotated[
        str | None, Query(max_length=32, description="Only answers given in this stage.")
    ] = None,
    start: Start = None,
    end: End = None,
) -> Drivers:
    """Each touchpoint, contact channel, topic and customer trait before an answer: its
    share of the explained variance and its effect on the score in points, with 95%
    intervals from resampling the answers."""
    if metric not in DRIVER_METRICS:
        raise NotFound(f"key drivers explain {' or '.join(DRIVER_METRICS)}, not '{metric}'")
    start, end = window(start, end)
    return drivers_of(
        session,
        metric=cast(DriverMetric, metric),
        start=start,
        end=end,
        min_n=settings.metrics_min_n,
        stage=stage or None,
    )
