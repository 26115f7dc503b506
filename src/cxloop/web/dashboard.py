"""The metrics dashboard: every headline metric with its change, a weekly trend with its
confidence band, channels, journey stages and departments compared with their intervals, and
how cases close the loop (response and resolution times, SLAs, reopens, loop closure) by
department.

Filters are a plain GET form, so the page works without JavaScript and every view is a URL
that can be shared. Every number comes from the metric catalogue, as the API computes it,
over the application's materialised analytic tables (a :class:`~cxloop.insights.Snapshot`,
caught up at most every ``metrics_refresh_seconds``; the page says as of when). Periods end
at the coming midnight (UTC), so a view asked again the same day is the same query and is
answered from the snapshot's results until the data changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from cxloop.accounts import Department, Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.insights import (
    AsOf,
    Metric,
    MetricQuery,
    Snapshot,
    metric_named,
    metrics,
    parse_query,
)
from cxloop.interactions import Channel, JourneyStage
from cxloop.settings import Settings
from cxloop.web.metric_charts import (
    comparison,
    department_table,
    short_label,
    trend,
    value_label,
)
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item(
    "dashboard", "Dashboard", "/dashboard", order=30, permission=Permission.metrics_read.value
)

WINDOWS = (4, 8, 13, 26, 52)
CLOSING_TABLES = ("cases", "signals")
"""Metrics shown under "Closing the loop" rather than in the overview."""
CLOSING_ORDER = (
    "case_volume",
    "first_response_time",
    "first_response_time_mean",
    "first_response_sla",
    "resolution_time",
    "resolution_time_mean",
    "resolution_sla",
    "reopen_rate",
    "loop_closure",
)
"""The built-ins in the order a team lead reads them; metrics users add over cases follow."""
COMPARED = ("channel", "stage", "department", "signal")
"""Dimensions the chosen metric is compared by, those of them it has."""
CLOSING_CHARTS = (("first_response_sla", "department"), ("loop_closure", "signal"))


_CREATING = threading.Lock()


def snapshot(request: Request, settings: Settings) -> Snapshot:
    """The application's one snapshot of the analytic tables, made on first use."""
    with _CREATING:
        found: Snapshot | None = getattr(request.app.state, "metrics_snapshot", None)
        if found is None:
            found = Snapshot(refresh_seconds=settings.metrics_refresh_seconds)
            request.app.state.metrics_snapshot = found
        return found


def _period_end(now: datetime) -> datetime:
    """The coming midnight (UTC): a period holds today so far and stays one query all day."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def _applicable(metric: Metric, filters: dict[str, str]) -> list[str]:
    """The filters this metric can take: a stage filter says nothing about cases."""
    return [
        f"{name}:{value}" for name, value in filters.items() if value and name in metric.dimensions
    ]


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    metric: Annotated[str, Query(max_length=64)] = "nps",
    weeks: Annotated[int, Query()] = 13,
    channel: Annotated[str, Query(max_length=32)] = "",
    stage: Annotated[str, Query(max_length=32)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Where each metric stands this period, whether its change is real, and where it differs;
    then how fast and how well cases close the loop, by department."""
    require_permission(session, user, Permission.metrics_read)
    chosen = metric_named(metric)
    weeks = weeks if weeks in WINDOWS else 13
    now = datetime.now(UTC)
    filters = {"channel": channel, "stage": stage, "department": department}
    end = _period_end(now)
    start = end - timedelta(weeks=weeks)

    def query(m: Metric, by: Sequence[str] = ()) -> MetricQuery:
        return parse_query(m, by=by, filters=_applicable(m, filters), start=start, end=end)

    catalogue = metrics()
    overview = [m for m in catalogue if m.table not in CLOSING_TABLES]
    closing = sorted(
        (m for m in catalogue if m.table in CLOSING_TABLES),
        key=lambda m: (
            CLOSING_ORDER.index(m.name) if m.name in CLOSING_ORDER else len(CLOSING_ORDER)
        ),
    )
    compared = [d for d in COMPARED if d in chosen.dimensions]
    queries = [
        *(query(m) for m in overview),
        *(query(m) for m in closing),
        *(query(m, ["department"]) for m in closing),
        *(query(metric_named(name), [by]) for name, by in CLOSING_CHARTS),
        query(chosen, ["week"]),
        *(query(chosen, [d]) for d in compared),
    ]
    tables = snapshot(request, settings)
    results = iter(
        tables.measure_all(
            session, queries, min_n=settings.metrics_min_n, as_of=AsOf.of(settings, now)
        )
    )
    overview_results = [next(results) for _ in overview]
    closing_results = [next(results) for _ in closing]
    by_department = [next(results) for _ in closing]
    closing_charts = [
        (by, f"{metric_named(name).title} by {by}", comparison(next(results), by))
        for name, by in CLOSING_CHARTS
    ]
    weekly = next(results)
    context = {
        "overview": overview_results,
        "closing": closing_results,
        "closing_by_department": department_table(by_department),
        "closing_charts": closing_charts,
        "chosen": chosen,
        "weeks": weeks,
        "windows": WINDOWS,
        "filters": filters,
        "chosen_filters": _applicable(chosen, filters),
        "weekly": weekly,
        "as_of": tables.as_of,
        "refresh_seconds": settings.metrics_refresh_seconds,
        "trend": trend(weekly),
        "comparisons": [(d, comparison(next(results), d)) for d in compared],
        "value_label": value_label,
        "short_label": short_label,
        "all_metrics": catalogue,
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "all_departments": list(session.scalars(select(Department).order_by(Department.name))),
    }
    return render(request, "insights/dashboard.html", context, user=user, active="dashboard")
