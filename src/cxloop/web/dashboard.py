"""The metrics dashboard: every headline metric with its change, a weekly trend with its
confidence band, and channels and journey stages compared with their intervals.

Filters are a plain GET form, so the page works without JavaScript and every view is a URL
that can be shared. Every number comes from the metric catalogue, as the API computes it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.insights import measure_all, metric_named, metrics, parse_query
from cxloop.interactions import Channel, JourneyStage
from cxloop.web.metric_charts import comparison, trend, value_label
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
) -> Response:
    """Where each metric stands this period, whether its change is real, and where it differs."""
    require_permission(session, user, Permission.metrics_read)
    chosen = metric_named(metric)
    weeks = weeks if weeks in WINDOWS else 13
    now = datetime.now(UTC)
    filters = [
        f"{name}:{value}" for name, value in (("channel", channel), ("stage", stage)) if value
    ]
    start = now - timedelta(weeks=weeks)
    catalogue = metrics()
    queries = [parse_query(m, filters=filters, start=start, end=now) for m in catalogue]
    queries += [
        parse_query(chosen, by=[by], filters=filters, start=start, end=now)
        for by in ("week", "channel", "stage")
    ]
    results = measure_all(session, queries, min_n=settings.metrics_min_n)
    overview, (weekly, by_channel, by_stage) = results[: len(catalogue)], results[len(catalogue) :]
    context = {
        "overview": overview,
        "chosen": chosen,
        "weeks": weeks,
        "windows": WINDOWS,
        "filters": {"channel": channel, "stage": stage},
        "weekly": weekly,
        "trend": trend(weekly),
        "by_channel": comparison(by_channel, "channel"),
        "by_stage": comparison(by_stage, "stage"),
        "value_label": value_label,
        "all_metrics": catalogue,
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
    }
    return render(request, "insights/dashboard.html", context, user=user, active="dashboard")
