"""The key drivers page: what moves NPS or CSAT most, as two charts an analyst acts on.

The first ranks drivers by their share of the explained variance (how much of the score's
differences they account for); the second shows which way and how far each moves the
score, the others held equal. Both with 95% intervals from resampling, in words as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.insights import (
    DRIVER_METRICS,
    Driver,
    DriverMetric,
    Drivers,
    Interval,
    drivers_of,
)
from cxloop.interactions import JourneyStage
from cxloop.settings import Settings
from cxloop.store.tabular import Column
from cxloop.web import downloads
from cxloop.web.dashboard import WINDOWS
from cxloop.web.downloads import FormatQuery, Table, TableName, check_table, download
from cxloop.web.interval_chart import Item, interval_chart
from cxloop.web.journey_analytics import DEFAULT_WEEKS, snapshot_sources
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("drivers", "Drivers", "/drivers", order=32, permission=Permission.metrics_read.value)
TITLES = {"nps": "NPS", "csat": "CSAT"}


def interval_text(i: Interval, unit: str = "") -> str:
    return f"{i.value:+.1f}{unit} ({i.low:+.1f} to {i.high:+.1f})"


def direction(d: Driver, title: str) -> str:
    """Which way the driver moves the score, in words: readable without the chart's colour."""
    e = d.effect
    if e.low > 0:
        return f"raises {title} by {e.value:.1f} points ({e.low:.1f} to {e.high:.1f})"
    if e.high < 0:
        return f"lowers {title} by {-e.value:.1f} points ({-e.high:.1f} to {-e.low:.1f})"
    return f"no clear direction ({e.low:+.1f} to {e.high:+.1f} points)"


def way(d: Driver, title: str) -> str:
    """The direction in two words, for beside a chart row."""
    if d.effect.low > 0:
        return f"raises {title}"
    return f"lowers {title}" if d.effect.high < 0 else "direction unclear"


def _item(d: Driver, shown: Interval, text: str) -> Item:
    return Item(label=d.name, value=shown.value, low=shown.low, high=shown.high, text=text)


@dataclass(frozen=True, slots=True)
class DriversQuery:
    """The page's query string, shared by the page and its download."""

    metric: DriverMetric
    weeks: int
    stage: str
    start: datetime
    end: datetime


def drivers_query(
    metric: Annotated[str, Query(max_length=8)] = "nps",
    weeks: Annotated[int, Query()] = DEFAULT_WEEKS,
    stage: Annotated[str, Query(max_length=32)] = "",
) -> DriversQuery:
    chosen = cast(DriverMetric, metric if metric in DRIVER_METRICS else "nps")
    weeks = weeks if weeks in WINDOWS else DEFAULT_WEEKS
    end = datetime.now(UTC)
    return DriversQuery(chosen, weeks, stage, end - timedelta(weeks=weeks), end)


DriversParams = Annotated[DriversQuery, Depends(drivers_query)]
TABLES = ("drivers",)
INTERVAL = ("", "_low", "_high")


def _found(request: Request, session: Session, settings: Settings, params: DriversQuery) -> Drivers:
    """From the dashboard's snapshot of the analytic tables, as of its watermark."""
    return drivers_of(
        session,
        metric=params.metric,
        start=params.start,
        end=params.end,
        min_n=settings.metrics_min_n,
        stage=params.stage or None,
        sources=snapshot_sources(request, session, settings),
    )


def drivers_table(found: Drivers) -> Table:
    """One row per driver: its answers, importance and effect with their intervals."""
    intervals = [
        f"{what}{end}" for what in ("importance_percent", "effect_points") for end in INTERVAL
    ]
    return Table(
        columns=[
            Column("driver"),
            Column("answers_with", "int"),
            *(Column(name, "float") for name in intervals),
            Column("mean_with", "float"),
            Column("mean_without", "float"),
        ],
        rows=[
            {
                "driver": d.name,
                "answers_with": d.answers_with,
                **dict(zip(intervals, (*_bounds(d.importance), *_bounds(d.effect)), strict=True)),
                "mean_with": d.mean_with,
                "mean_without": d.mean_without,
            }
            for d in found.drivers
        ],
    )


def _bounds(i: Interval) -> tuple[float, float, float]:
    return (i.value, i.low, i.high)


@router.get("/drivers")
def drivers(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    params: DriversParams,
) -> Response:
    """What comes before good and bad answers, ranked by how much of the score it explains."""
    require_permission(session, user, Permission.metrics_read)
    chosen, weeks, stage, start, end = (
        params.metric, params.weeks, params.stage, params.start, params.end,
    )  # fmt: skip
    found = _found(request, session, settings, params)
    title = TITLES[chosen]
    importance = interval_chart(
        [
            _item(
                d,
                d.importance,
                f"{d.importance.value:.0f}% ({d.importance.low:.0f} to "
                f"{d.importance.high:.0f}), {way(d, title)}",
            )
            for d in found.drivers
        ],
        description=f"Each driver's share of the {title} differences the drivers explain "
        "(relative weights): the bar is the share, the line its 95% interval; the words say "
        "which way it moves the score.",
        bars=True,
        label_width=280,
        width=900,
        tick_format="{:g}%",
    )
    effects = interval_chart(
        [_item(d, d.effect, interval_text(d.effect, " pts")) for d in found.drivers],
        description=f"How many {title} points each driver moves the score, the others held "
        "equal: the dot is the effect, the line its 95% interval, the dashed line no effect.",
        reference=0.0,
        label_width=280,
        width=900,
    )
    context = {
        "found": found,
        "title": title,
        "metrics": TITLES,
        "chosen": chosen,
        "weeks": weeks,
        "windows": WINDOWS,
        "stage": stage,
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "importance": importance,
        "effects": effects,
        "direction": direction,
        "interval_text": interval_text,
        "min_n": settings.metrics_min_n,
        "download": {"from": start.isoformat(), "to": end.isoformat()}
        | ({"stage": stage} if stage else {}),
        "query": urlencode(
            {"metric": chosen, "weeks": weeks} | ({"stage": stage} if stage else {})
        ),
    }
    return render(request, "insights/drivers.html", context, user=user, active="drivers")


@downloads.router.get("/drivers/download/{table}")
def drivers_download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    params: DriversParams,
    table: TableName,
    fmt: FormatQuery = "csv",
) -> Response:
    """The drivers table as a file, under the page's score, period and stage."""
    require_permission(session, user, Permission.metrics_read)
    check_table(table, TABLES, "drivers")
    found = _found(request, session, settings, params)
    return download(
        request, session, user, page="drivers", name=table, table=drivers_table(found), fmt=fmt
    )
