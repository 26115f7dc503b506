"""The text analytics page: topics by volume and sentiment, rising topics, sentiment by week,
and the latest verbatims with their topics and the personal data redacted.

Filters are a plain GET form, so the page works without JavaScript and every view has a URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission
from cxloop.api.deps import SessionDep
from cxloop.interactions import Channel, JourneyStage
from cxloop.store.tabular import Column
from cxloop.understanding import TextAnalytics, list_topics, text_analytics
from cxloop.web import downloads
from cxloop.web.downloads import FormatQuery, Table, TableName, check_table, download
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item(
    "text", "Text analytics", "/text", order=40, permission=Permission.understanding_read.value
)

WINDOWS = (7, 30, 90, 365)
Many = Annotated[list[str], Query()]


@dataclass(frozen=True, slots=True)
class TextQuery:
    """The page's filters, shared by the page and its downloads."""

    days: int
    channel: list[str]
    stage: list[str]
    department: list[str]
    topic: int | None

    def encoded(self) -> str:
        pairs = [("days", str(self.days))]
        for name in ("channel", "stage", "department"):
            pairs += [(name, v) for v in getattr(self, name) if v]
        if self.topic is not None:
            pairs.append(("topic", str(self.topic)))
        return urlencode(pairs)


def text_query(
    days: Annotated[int, Query()] = 90,
    channel: Many = [],  # noqa: B006 - FastAPI copies defaults
    stage: Many = [],  # noqa: B006
    department: Many = [],  # noqa: B006
    topic: Annotated[int | None, Query()] = None,
) -> TextQuery:
    return TextQuery(days if days in WINDOWS else 90, channel, stage, department, topic)


TextParams = Annotated[TextQuery, Depends(text_query)]
TABLES = ("topics", "rising", "sentiment-by-week")
FEELINGS = ("negative", "neutral", "positive", "unscored")


def _report(session: Session, params: TextQuery, departments: list[Department]) -> TextAnalytics:
    until = datetime.now(UTC)
    return text_analytics(
        session,
        since=until - timedelta(days=params.days),
        until=until,
        channels=[c for c in params.channel if c],
        stages=[s for s in params.stage if s],
        department_ids=[d.id for d in departments if d.slug in params.department],
        topic_id=params.topic,
    )


def text_table(report: TextAnalytics, name: str) -> Table:
    """The table ``name`` (one of :data:`TABLES`) as the page shows it."""
    if name == "topics":
        return Table(
            columns=[
                Column("topic"),
                Column("mentions", "int"),
                Column("negative", "int"),
                Column("positive", "int"),
                Column("average_sentiment", "float"),
            ],
            rows=[
                {
                    "topic": t.path,
                    "mentions": t.count,
                    "negative": t.negative,
                    "positive": t.positive,
                    "average_sentiment": t.average_score,
                }
                for t in report.topics
            ],
        )
    if name == "rising":
        return Table(
            columns=[Column("topic"), Column("recent", "int"), Column("earlier", "int")],
            rows=[
                {"topic": t.path, "recent": t.recent, "earlier": t.earlier} for t in report.rising
            ],
        )
    return Table(
        columns=[Column("week", "datetime"), *(Column(f, "int") for f in FEELINGS)],
        rows=[
            {"week": week, **{f: counts.get(f, 0) for f in FEELINGS}}
            for week, counts in report.weeks
        ],
    )


@router.get("/text")
def text_page(
    request: Request, session: SessionDep, user: PageUser, params: TextParams
) -> Response:
    """What customers write about, how they feel, and what is rising, over the last days."""
    require_permission(session, user, Permission.understanding_read)
    departments = list(session.scalars(select(Department).order_by(Department.name)))
    report = _report(session, params, departments)
    context = {
        "report": report,
        "days": params.days,
        "windows": WINDOWS,
        "chosen": {
            "channel": params.channel,
            "stage": params.stage,
            "department": params.department,
            "topic": params.topic,
        },
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "all_departments": departments,
        "all_topics": list_topics(session),
        "peak": max((sum(counts.values()) for _, counts in report.weeks), default=0),
        "query": params.encoded(),
    }
    return render(request, "text/analytics.html", context, user=user, active="text")


@downloads.router.get("/text/download/{table}")
def text_download(
    request: Request,
    session: SessionDep,
    user: PageUser,
    params: TextParams,
    table: TableName,
    fmt: FormatQuery = "csv",
) -> Response:
    """A text analytics table as a file, under the page's filters (counts, no verbatims)."""
    require_permission(session, user, Permission.understanding_read)
    check_table(table, TABLES, "text")
    departments = list(session.scalars(select(Department)))
    report = _report(session, params, departments)
    return download(
        request, session, user, page="text", name=table, table=text_table(report, table), fmt=fmt
    )
