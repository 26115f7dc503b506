"""Customer 360 pages: search, and one customer's profile, journey chart and timeline.

Filters and paging are plain GET links and forms, so the pages work without JavaScript;
HTMX only makes "Load older interactions" append in place instead of loading a new page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, permissions_for
from cxloop.api.deps import SessionDep
from cxloop.api.visibility import visible_customer, visible_customers, visible_timeline
from cxloop.customers import get_customer, read_customer, search_page
from cxloop.interactions import Channel, JourneyStage, journey_summary, timeline_page
from cxloop.web.journey_chart import layout
from cxloop.web.nav import add_nav_item
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("customers", "Customers", "/customers", order=10)

SEARCH_PAGE_SIZE = 25
TIMELINE_PAGE_SIZE = 25
Text = Annotated[str | None, Query(max_length=500)]
Many = Annotated[list[str], Query()]


@dataclass
class TimelineFilters:
    """The timeline filters as the form sent them; bad dates become messages, not errors."""

    channels: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    type: str = ""
    since: str = ""
    until: str = ""
    errors: list[str] = field(default_factory=list)

    def since_at(self) -> datetime | None:
        return self._day(self.since, "From")

    def until_at(self) -> datetime | None:
        day = self._day(self.until, "To")
        return day + timedelta(days=1) if day else None  # the "to" day is included

    def _day(self, value: str, label: str) -> datetime | None:
        if not value:
            return None
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            self.errors.append(f"{label} date must look like 2024-12-31.")
            return None

    @property
    def active(self) -> bool:
        return bool(self.channels or self.stages or self.type or self.since or self.until)

    def query(self, **extra: str) -> str:
        params: list[tuple[str, str]] = [("channel", c) for c in self.channels]
        params += [("stage", s) for s in self.stages]
        params += [(k, v) for k, v in (("type", self.type), ("since", self.since)) if v]
        params += [("until", self.until)] if self.until else []
        params += list(extra.items())
        return urlencode(params)


def _filters(
    channel: list[str], stage: list[str], type: str | None, since: str | None, until: str | None
) -> TimelineFilters:
    return TimelineFilters(
        channels=[c for c in channel if c],
        stages=[s for s in stage if s],
        type=(type or "").strip(),
        since=(since or "").strip(),
        until=(until or "").strip(),
    )


def _timeline(
    session: Session,
    customer_id: int,
    filters: TimelineFilters,
    cursor: str | None,
    permissions: frozenset[Permission],
) -> dict[str, Any]:
    since, until = filters.since_at(), filters.until_at()
    page = timeline_page(
        session,
        customer_id=customer_id,
        cursor=cursor,
        limit=TIMELINE_PAGE_SIZE,
        channels=filters.channels,
        stages=filters.stages,
        type=filters.type or None,
        since=since,
        until=until,
    )
    channel_names = {c.key: c.name for c in session.scalars(select(Channel))}
    stage_names = {s.key: s.name for s in session.scalars(select(JourneyStage))}
    more_query = filters.query(cursor=page.next_cursor) if page.next_cursor else ""
    page = visible_timeline(page, permissions=permissions)
    return {
        "items": page.items,
        "next_cursor": page.next_cursor,
        "more_page_url": f"/customers/{customer_id}?{more_query}#timeline",
        "more_partial_url": f"/customers/{customer_id}/timeline?{more_query}",
        "channel_names": channel_names,
        "stage_names": stage_names,
    }


@router.get("/customers")
def search(
    request: Request,
    session: SessionDep,
    user: PageUser,
    q: Text = None,
    cursor: Text = None,
) -> Response:
    """Search by any identity or by name; without a query, the newest customers."""
    query = (q or "").strip()
    page = visible_customers(
        search_page(session, q=query, cursor=cursor or None, limit=SEARCH_PAGE_SIZE),
        permissions=permissions_for(session, user.role),
    )
    next_url = (
        "/customers?" + urlencode({"q": query, "cursor": page.next_cursor})
        if page.next_cursor
        else None
    )
    return render(
        request,
        "customers/search.html",
        {"q": query, "page": page, "next_url": next_url, "continued": bool(cursor)},
        user=user,
        active="customers",
    )


@router.get("/customers/{customer_id}")
def customer_page(
    request: Request,
    customer_id: int,
    session: SessionDep,
    user: PageUser,
    cursor: Text = None,
    channel: Many = [],  # noqa: B006 - FastAPI copies defaults
    stage: Many = [],  # noqa: B006
    type: Text = None,
    since: Text = None,
    until: Text = None,
) -> Response:
    """Profile, identities, journey chart and the timeline (first page or a cursor's page)."""
    customer = get_customer(session, customer_id)
    if customer.id != customer_id:  # a merged-away id: send the browser to the survivor
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/customers/{customer.id}{query}", status_code=301)
    filters = _filters(channel, stage, type, since, until)
    summary = journey_summary(session, customer.id)
    permissions = permissions_for(session, user.role)
    shown = visible_customer(
        session,
        read_customer(session, customer),
        permissions=permissions,
        actor=user.email,
        ip=request.client.host if request.client else None,
    )
    context = {
        "customer": shown,
        "summary": summary,
        "chart": layout(summary),
        "filters": filters,
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "continued": bool(cursor),
        "partial": False,
        **_timeline(session, customer.id, filters, cursor or None, permissions),
    }
    return render(request, "customers/detail.html", context, user=user, active="customers")


@router.get("/customers/{customer_id}/timeline")
def timeline_more(
    request: Request,
    customer_id: int,
    session: SessionDep,
    user: PageUser,
    cursor: Text = None,
    channel: Many = [],  # noqa: B006
    stage: Many = [],  # noqa: B006
    type: Text = None,
    since: Text = None,
    until: Text = None,
) -> Response:
    """The next timeline items for HTMX to append; a plain visit gets the whole page."""
    if request.headers.get("hx-request") != "true":
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/customers/{customer_id}{query}#timeline", status_code=303)
    customer = get_customer(session, customer_id)
    filters = _filters(channel, stage, type, since, until)
    context = {
        "customer": customer,
        "filters": filters,
        "partial": True,
        **_timeline(
            session, customer.id, filters, cursor or None, permissions_for(session, user.role)
        ),
    }
    return render(request, "customers/_timeline_items.html", context, user=user)
