"""``/api/v1/journeys``: journey analytics over the timeline. Thin: parse, call, return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from cxloop.api.deps import MetricsRead, SessionDep
from cxloop.errors import ValidationFailed
from cxloop.insights import Funnel, journey_funnel

router = APIRouter(prefix="/journeys", tags=["journeys"])


@router.get("/funnel", response_model=Funnel)
def read_funnel(
    session: SessionDep,
    _principal: MetricsRead,
    stages: Annotated[
        str | None,
        Query(max_length=500, description="Comma-separated stages in order (default: all)."),
    ] = None,
    start: Annotated[
        datetime | None, Query(alias="from", description="Window start (default: 90 days ago).")
    ] = None,
    end: Annotated[
        datetime | None, Query(alias="to", description="Window end (default: now).")
    ] = None,
) -> Funnel:
    """Customers reaching each stage after the earlier ones, conversion with its 95% interval,
    and the mean time between steps."""
    end = end or datetime.now(UTC)
    start = start or end - timedelta(days=90)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("'from' and 'to' need a time zone (e.g. 2026-01-01T00:00:00Z)")
    if start >= end:
        raise ValidationFailed("'from' must be before 'to'", field="from")
    return journey_funnel(session, stages=(stages or "").split(","), start=start, end=end)
