"""The text analytics page: topics by volume and sentiment, rising topics, sentiment by week,
and the latest verbatims with their topics and the personal data redacted.

Filters are a plain GET form, so the page works without JavaScript and every view has a URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from cxloop.accounts import Department, Permission
from cxloop.api.deps import SessionDep
from cxloop.interactions import Channel, JourneyStage
from cxloop.understanding import list_topics, text_analytics
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


@router.get("/text")
def text_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    days: Annotated[int, Query()] = 90,
    channel: Many = [],  # noqa: B006 - FastAPI copies defaults
    stage: Many = [],  # noqa: B006
    department: Many = [],  # noqa: B006
    topic: Annotated[int | None, Query()] = None,
) -> Response:
    """What customers write about, how they feel, and what is rising, over the last days."""
    require_permission(session, user, Permission.understanding_read)
    days = days if days in WINDOWS else 90
    until = datetime.now(UTC)
    departments = list(session.scalars(select(Department).order_by(Department.name)))
    chosen_departments = [d.id for d in departments if d.slug in department]
    report = text_analytics(
        session,
        since=until - timedelta(days=days),
        until=until,
        channels=[c for c in channel if c],
        stages=[s for s in stage if s],
        department_ids=chosen_departments,
        topic_id=topic,
    )
    context = {
        "report": report,
        "days": days,
        "windows": WINDOWS,
        "chosen": {"channel": channel, "stage": stage, "department": department, "topic": topic},
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "all_departments": departments,
        "all_topics": list_topics(session),
        "peak": max((sum(counts.values()) for _, counts in report.weeks), default=0),
    }
    return render(request, "text/analytics.html", context, user=user, active="text")
