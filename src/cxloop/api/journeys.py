"""``/api/v1/journeys``: journey analytics over the timeline. Thin: parse, call, return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.api.deps import MetricsRead, SessionDep, SettingsDep
from cxloop.errors import ValidationFailed
from cxloop.insights import (
    Funnel,
    Outcome,
    PathBy,
    Paths,
    Precursors,
    StageTime,
    Switching,
    journey_funnel,
    journey_paths,
    journey_precursors,
    journey_stage_times,
    journey_switching,
)

router = APIRouter(prefix="/journeys", tags=["journeys"])

Start = Annotated[
    datetime | None, Query(alias="from", description="Window start (default: 90 days ago).")
]
End = Annotated[datetime | None, Query(alias="to", description="Window end (default: now).")]
Stages = Annotated[
    str | None,
    Query(max_length=500, description="Comma-separated stages in order (default: all)."),
]


def window(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """The asked window, 90 days to now by default; both ends need a time zone."""
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=90)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("'from' and 'to' need a time zone (e.g. 2026-01-01T00:00:00Z)")
    if start >= end:
        raise ValidationFailed("'from' must be before 'to'", field="from")
    return start, end


@router.get("/funnel", response_model=Funnel)
def read_funnel(
    session: SessionDep,
    _principal: MetricsRead,
    stages: Stages = None,
    start: Start = None,
    end: End = None,
) -> Funnel:
    """Customers reaching each stage after the earlier ones, conversion with its 95% interval,
    and the mean time between steps."""
    start, end = window(start, end)
    return journey_funnel(session, stages=(stages or "").split(","), start=start, end=end)


@router.get("/paths", response_model=Paths)
def read_paths(
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    by: Annotated[PathBy, Query(description="Paths between stages or between channels.")] = "stage",
    start: Start = None,
    end: End = None,
) -> Paths:
    """The commonest paths customers took (their first four steps), each as a share of the
    customers who reached out in the window, with its 95% interval."""
    start, end = window(start, end)
    return journey_paths(session, by=by, start=start, end=end, min_n=settings.metrics_min_n)


@router.get("/stage-times", response_model=list[StageTime])
def read_stage_times(
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    stages: Stages = None,
    start: Start = None,
    end: End = None,
) -> list[StageTime]:
    """Median hours from each stage to the next, with its distribution-free 95% interval."""
    start, end = window(start, end)
    return journey_stage_times(
        session,
        stages=(stages or "").split(","),
        start=start,
        end=end,
        min_n=settings.metrics_min_n,
    )


@router.get("/switching", response_model=Switching)
def read_switching(
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    start: Start = None,
    end: End = None,
) -> Switching:
    """Failed self-service: web or app visits followed by a call or chat within 48 hours."""
    start, end = window(start, end)
    return journey_switching(session, start=start, end=end, min_n=settings.metrics_min_n)


@router.get("/precursors", response_model=Precursors)
def read_precursors(
    session: SessionDep,
    settings: SettingsDep,
    _principal: MetricsRead,
    outcome: Annotated[Outcome, Query(description="detractor or termination")] = "detractor",
    start: Start = None,
    end: End = None,
) -> Precursors:
    """Touchpoints, channels and topics of the 30 days before a detractor answer (or a
    customer starting to leave), by how much likelier they make it (lift, 95% interval)."""
    start, end = window(start, end)
    return journey_precursors(
        session, outcome=outcome, start=start, end=end, min_n=settings.metrics_min_n
    )
