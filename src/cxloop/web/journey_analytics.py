"""The journey page: the funnel, the commonest paths between stages and channels, time
between stages, failed self-service, and what comes before detractors and departures.

A plain GET form chooses the window, so every view is a URL to share; every chart is drawn
server-side with its numbers in words and in a table.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.insights import (
    SOURCES,
    AsOf,
    Duration,
    JourneyReport,
    Precursor,
    Precursors,
    Rate,
    Sources,
    journey_report,
)
from cxloop.settings import Settings
from cxloop.web import downloads
from cxloop.web.dashboard import WINDOWS, snapshot
from cxloop.web.downloads import FormatQuery, TableName, check_table, download
from cxloop.web.interval_chart import IntervalChart, Item, interval_chart
from cxloop.web.journey_tables import ARROW, TABLES, journey_table
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item(
    "journeys", "Journeys", "/journeys", order=31, permission=Permission.metrics_read.value
)
DEFAULT_WEEKS = 26


def rate_text(r: Rate) -> str:
    if r.value is None:
        return f"n={r.n}, too few" if r.suppressed else "none"
    return f"{r.value:.1f}% ({r.low:.1f} to {r.high:.1f}), {r.count} of {r.n}"


def hours_text(d: Duration) -> str:
    if d.median_hours is None:
        return f"n={d.n}, too few" if d.suppressed else "none"
    if d.low is None or d.high is None:
        return f"{_hours(d.median_hours)}, n={d.n}"
    return f"{_hours(d.median_hours)} ({_hours(d.low)} to {_hours(d.high)}), n={d.n}"


def _hours(value: float) -> str:
    return f"{value / 24:.1f} d" if value >= 48 else f"{value:.1f} h"


def _rate_item(label: str, r: Rate) -> Item:
    return Item(label=label, value=r.value, low=r.low, high=r.high, text=rate_text(r))


def lift_text(p: Precursor) -> str:
    if p.lift is None or p.low is None or p.high is None:
        return "too few"
    return f"x{p.lift:.2f} ({p.low:.2f} to {p.high:.2f}), n={p.exposed.n}"


def lift_chart(found: Precursors, what: str) -> IntervalChart | None:
    items = [
        Item(label=p.name, value=p.lift, low=p.low, high=p.high, text=lift_text(p))
        for p in found.precursors
    ]
    return interval_chart(
        items,
        description=f"How many times likelier {what} is after each touchpoint, channel or "
        "topic of the 30 days before than without it: the dot is the lift, the line its 95% "
        "interval, the dashed line no difference (x1).",
        log=True,
        reference=1.0,
        label_width=300,
        width=860,
        tick_format="x{:g}",
    )


@router.get("/journeys")
def journeys(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    weeks: Annotated[int, Query()] = DEFAULT_WEEKS,
) -> Response:
    """Where customers go, how long it takes, where self-service fails and what comes before
    a detractor or a departure."""
    require_permission(session, user, Permission.metrics_read)
    weeks = weeks if weeks in WINDOWS else DEFAULT_WEEKS
    min_n = settings.metrics_min_n
    report = _report(request, session, settings, weeks)
    funnel = report.funnel
    conversion = [
        Item(
            label=f"{before.stage}{ARROW}{step.stage}",
            value=step.conversion,
            low=step.low,
            high=step.high,
            text=f"{step.conversion:.1f}% ({step.low:.1f} to {step.high:.1f}), "
            f"{step.customers} of {before.customers}"
            if step.conversion is not None and step.low is not None and step.high is not None
            else f"{step.customers} of {before.customers}",
        )
        for before, step in zip(funnel.steps, funnel.steps[1:], strict=False)
    ]
    paths = {
        by: interval_chart(
            [_rate_item(ARROW.join(p.steps), p.customers) for p in found.paths],
            description=f"Share of the {found.customers} customers who reached out whose path "
            f"between {by}s began this way: the dot is the share, the line its 95% interval.",
            label_width=380,
            width=900,
            tick_format="{:g}%",
        )
        for by, found in (("stage", report.stage_paths), ("channel", report.channel_paths))
    }
    times = interval_chart(
        [
            Item(
                label=f"{t.from_stage}{ARROW}{t.to_stage}",
                value=t.time.median_hours,
                low=t.time.low,
                high=t.time.high,
                text=hours_text(t.time),
            )
            for t in report.stage_times
        ],
        description="Median hours from a customer's first interaction in a stage to their "
        "first in the next one (log scale): the dot is the median, the line its 95% interval.",
        log=True,
        label_width=220,
        tick_format="{:g} h",
    )
    switching = interval_chart(
        [
            _rate_item(f"{r.self_service}{ARROW}{r.help_channel}", r.visits)
            for r in report.switching.rows
        ],
        description="Share of self-service visits followed by a call or chat within 48 hours, "
        "by where the customer tried and where they turned: the dot is the share, the line its "
        "95% interval.",
        tick_format="{:g}%",
    )
    context = {
        "weeks": weeks,
        "windows": WINDOWS,
        "min_n": min_n,
        "report": report,
        "funnel": funnel,
        "conversion": interval_chart(
            conversion,
            description="Conversion from each stage to the next, of customers who reached every "
            "earlier stage first: the dot is the share, the line its 95% interval.",
            label_width=250,
            tick_format="{:g}%",
        ),
        "paths": paths,
        "times": times,
        "switching": switching,
        "detractor_chart": lift_chart(report.detractors, "a detractor answer"),
        "termination_chart": lift_chart(report.terminations, "starting to leave"),
        "rate_text": rate_text,
        "hours_text": hours_text,
        "lift_text": lift_text,
        "arrow": ARROW,
        "query": urlencode({"weeks": weeks}),
    }
    return render(request, "insights/journeys.html", context, user=user, active="journeys")


def _report(request: Request, session: Session, settings: Settings, weeks: int) -> JourneyReport:
    """From the dashboard's snapshot of the analytic tables, as of its watermark."""
    end = datetime.now(UTC)
    start = end - timedelta(weeks=weeks)
    sources = snapshot_sources(request, session, settings)
    return journey_report(
        session, start=start, end=end, min_n=settings.metrics_min_n, sources=sources
    )


def snapshot_sources(request: Request, session: Session, settings: Settings) -> Sources:
    """The tables journeys and drivers read, from the snapshot the dashboard keeps."""
    found = snapshot(request, settings).read_tables(session, SOURCES, AsOf.of(settings))
    return Sources(**found)


@downloads.router.get("/journeys/download/{table}")
def journeys_download(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    table: TableName,
    fmt: FormatQuery = "csv",
    weeks: Annotated[int, Query()] = DEFAULT_WEEKS,
) -> Response:
    """A journey chart's numbers as a file, over the page's period."""
    require_permission(session, user, Permission.metrics_read)
    check_table(table, TABLES, "journeys")
    report = _report(request, session, settings, weeks if weeks in WINDOWS else DEFAULT_WEEKS)
    return download(
        request, session, user, page="journeys", name=table, table=journey_table(report, table),
        fmt=fmt,
    )  # fmt: skip
