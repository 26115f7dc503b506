"""The metrics dashboard: every headline metric with its change, a weekly trend with its
confidence band, channels, journey stages and departments compared with their intervals, and
how cases close the loop (response and resolution times, SLAs, reopens, loop closure) by
department.

Filters are a plain GET form, so the page works without JavaScript and every view is a URL
that can be shared; ``from``/``to`` give an exact window (what alerts link to), and every
chart's and table's numbers download under the same query (``/dashboard/download/<table>``).

Every number comes from the metric catalogue, as the API computes it, over the
application's materialised analytic tables (a :class:`~cxloop.insights.Snapshot`, caught up
at most every ``metrics_refresh_seconds``; the page says as of when). Periods end at the
coming midnight (UTC), so a view asked again the same day is the same query and is answered
from the snapshot's results until the data changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.errors import ValidationFailed
from cxloop.insights import (
    AsOf,
    Metric,
    MetricQuery,
    MetricResult,
    Snapshot,
    metric_named,
    metrics,
    parse_query,
)
from cxloop.interactions import Channel, JourneyStage
from cxloop.settings import Settings
from cxloop.web import downloads
from cxloop.web.downloads import (
    DOWNLOAD_FORMATS,
    FormatQuery,
    TableName,
    check_table,
    download,
    metric_table,
)
from cxloop.web.metric_charts import (
    change_chart,
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


@dataclass(frozen=True, slots=True)
class DashboardQuery:
    """The dashboard's query string, shared by the page and its downloads: the same URL
    with ``/download/<table>`` gives the same numbers."""

    metric: str
    weeks: int
    start: datetime
    end: datetime
    exact: bool
    """``from``/``to`` gave the window, rather than the period picker."""
    filters: dict[str, str]


def dashboard_query(
    metric: Annotated[str, Query(max_length=64)] = "nps",
    weeks: Annotated[int, Query()] = 13,
    channel: Annotated[str, Query(max_length=32)] = "",
    stage: Annotated[str, Query(max_length=32)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
    start: Annotated[str, Query(alias="from", max_length=40)] = "",
    end: Annotated[str, Query(alias="to", max_length=40)] = "",
) -> DashboardQuery:
    """The window is ``from``..``to`` when given (what an alert links to), else the last
    ``weeks`` weeks up to the coming midnight. Either may be left empty, as the form sends
    them: ``from`` alone runs to the coming midnight, ``to`` alone starts ``weeks`` before."""
    weeks = weeks if weeks in WINDOWS else 13
    since_given, until_given = _moment(start, "from"), _moment(end, "to")
    until = until_given or _period_end(datetime.now(UTC))
    since = since_given or until - timedelta(weeks=weeks)
    if since >= until:
        raise ValidationFailed(
            f"the window's start ({since:%Y-%m-%d %H:%M}) must come before its end "
            f"({until:%Y-%m-%d %H:%M}); swap 'from' and 'to'",
            field="from",
        )
    filters = {"channel": channel, "stage": stage, "department": department}
    exact = since_given is not None or until_given is not None
    return DashboardQuery(metric, weeks, since, until, exact, filters)


def _moment(text: str, name: str) -> datetime | None:
    """An ISO 8601 date or time from the URL (a date is its midnight; no offset is UTC)."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationFailed(
            f"'{name}' must be an ISO 8601 date or time such as 2026-11-01 or "
            f"2026-11-01T00:00:00+00:00, not '{text}'",
            field=name,
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


DashboardParams = Annotated[DashboardQuery, Depends(dashboard_query)]


@dataclass(frozen=True, slots=True)
class Figures:
    """Every result the dashboard shows, measured together from the snapshot."""

    chosen: Metric
    overview: list[MetricResult]
    closing: list[MetricResult]
    closing_by_department: list[MetricResult]
    closing_charts: list[tuple[str, str, MetricResult]]
    weekly: MetricResult
    comparisons: list[tuple[str, MetricResult]]
    as_of: datetime | None

    def tables(self) -> dict[str, list[MetricResult]]:
        """Each chart's and table's results under the name its download link uses."""
        return {
            "overview": self.overview,
            "trend": [self.weekly],
            **{f"by-{d}": [r] for d, r in self.comparisons},
            "closing": self.closing,
            "closing-by-department": self.closing_by_department,
            **{f"{r.metric.name}-by-{by}": [r] for by, _, r in self.closing_charts},
        }


TABLES = (
    "overview",
    "trend",
    *(f"by-{d}" for d in COMPARED),
    "closing",
    "closing-by-department",
    *(f"{name}-by-{by}" for name, by in CLOSING_CHARTS),
)
"""Every table a dashboard can have (``by-…`` only for the dimensions the metric has)."""


def measure_dashboard(
    request: Request, session: Session, settings: Settings, params: DashboardQuery
) -> Figures:
    chosen = metric_named(params.metric)
    filters = params.filters

    def query(m: Metric, by: Sequence[str] = ()) -> MetricQuery:
        return parse_query(
            m, by=by, filters=_applicable(m, filters), start=params.start, end=params.end
        )

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
        tables.measure_all(session, queries, min_n=settings.metrics_min_n, as_of=AsOf.of(settings))
    )
    return Figures(
        chosen=chosen,
        overview=[next(results) for _ in overview],
        closing=[next(results) for _ in closing],
        closing_by_department=[next(results) for _ in closing],
        closing_charts=[
            (by, f"{metric_named(name).title} by {by}", next(results))
            for name, by in CLOSING_CHARTS
        ],
        weekly=next(results),
        comparisons=[(d, next(results)) for d in compared],
        as_of=tables.as_of,
    )


@router.get("/dashboard")
def dashboard(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    params: DashboardParams,
) -> Response:
    """Where each metric stands this period, whether its change is real, and where it differs;
    then how fast and how well cases close the loop, by department."""
    require_permission(session, user, Permission.metrics_read)
    found = measure_dashboard(request, session, settings, params)
    chosen = found.chosen
    context = {
        "overview": found.overview,
        "closing": found.closing,
        "closing_by_department": department_table(found.closing_by_department),
        "closing_charts": [
            (by, title, f"{r.metric.name}-by-{by}", comparison(r, by))
            for by, title, r in found.closing_charts
        ],
        "chosen": chosen,
        "params": params,
        "weeks": params.weeks,
        "windows": WINDOWS,
        "filters": params.filters,
        "weekly": found.weekly,
        "as_of": found.as_of,
        "refresh_seconds": settings.metrics_refresh_seconds,
        "trend": trend(found.weekly),
        "comparisons": [(d, comparison(r, d)) for d, r in found.comparisons],
        "changes": change_chart(found.comparisons),
        "value_label": value_label,
        "short_label": short_label,
        "all_metrics": metrics(),
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "all_departments": list(session.scalars(select(Department).order_by(Department.name))),
        "formats": DOWNLOAD_FORMATS,
        "query": page_query(params),
    }
    return render(request, "insights/dashboard.html", context, user=user, active="dashboard")


def page_query(params: DashboardQuery) -> str:
    """The view's query string (what links to downloads and other metrics keep)."""
    shown: dict[str, str] = {"metric": params.metric, "weeks": str(params.weeks)}
    shown |= {name: value for name, value in params.filters.items() if value}
    if params.exact:
        shown |= {"from": params.start.isoformat(), "to": params.end.isoformat()}
    return urlencode(shown)


@downloads.router.get("/dashboard/download/{table}")
def dashboard_download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    params: DashboardParams,
    table: TableName,
    fmt: FormatQuery = "csv",
) -> Response:
    """A chart's or table's numbers as a file, under exactly the dashboard's filters."""
    require_permission(session, user, Permission.metrics_read)
    check_table(table, TABLES, "dashboard")
    found = measure_dashboard(request, session, settings, params).tables()
    check_table(table, list(found), "dashboard")
    return download(
        request, session, user, page="dashboard", name=table, table=metric_table(found[table]),
        fmt=fmt,
    )  # fmt: skip
