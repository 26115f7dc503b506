"""Customer 360 pages: search, and one customer's profile, risks (of leaving, of a detractor
answer, with their reasons), journey chart and timeline.

Filters and paging are plain GET links and forms, so the pages work without JavaScript;
HTMX only makes "Load older interactions" append in place instead of loading a new page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep
from cxloop.api.visibility import viewer_of, visible_customer, visible_customers
from cxloop.customers import get_customer, read_customer, search_page
from cxloop.errors import NotFound
from cxloop.interactions import Channel, JourneyStage, journey_summary
from cxloop.proactive import RiskRead, customer_risk
from cxloop.web.journey_chart import layout
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser, client_ip
from cxloop.web.templating import render
from cxloop.web.timeline import timeline_context, timeline_filters

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item(
    "customers", "Customers", "/customers", order=10, permission=Permission.customers_read.value
)

SEARCH_PAGE_SIZE = 25
Text = Annotated[str | None, Query(max_length=500)]
Many = Annotated[list[str], Query()]


@router.get("/customers")
def search(
    request: Request,
    session: SessionDep,
    user: PageUser,
    q: Text = None,
    cursor: Text = None,
) -> Response:
    """Search by any identity or by name; without a query, the newest customers."""
    require_permission(session, user, Permission.customers_read)
    query = (q or "").strip()
    page = visible_customers(
        session,
        search_page(session, q=query, cursor=cursor or None, limit=SEARCH_PAGE_SIZE),
        viewer=viewer_of(session, user, client_ip(request)),
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


def _risk(session: Session, customer_id: int) -> RiskRead | None:
    """The customer's latest risk scores (none until the nightly scoring has run)."""
    try:
        return customer_risk(session, customer_id)
    except NotFound:
        return None


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
    require_permission(session, user, Permission.customers_read)
    customer = get_customer(session, customer_id)
    if customer.id != customer_id:  # a merged-away id: send the browser to the survivor
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/customers/{customer.id}{query}", status_code=301)
    filters = timeline_filters(channel, stage, type, since, until)
    summary = journey_summary(session, customer.id)
    viewer = viewer_of(session, user, client_ip(request))
    shown = visible_customer(session, read_customer(session, customer), viewer=viewer)
    context = {
        "customer": shown,
        "risk": _risk(session, customer.id),
        "summary": summary,
        "chart": layout(summary),
        "filters": filters,
        "all_channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "all_stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "continued": bool(cursor),
        "partial": False,
        **timeline_context(session, customer.id, filters, cursor or None, viewer),
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
    require_permission(session, user, Permission.customers_read)
    if request.headers.get("hx-request") != "true":
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/customers/{customer_id}{query}#timeline", status_code=303)
    customer = get_customer(session, customer_id)
    filters = timeline_filters(channel, stage, type, since, until)
    context = {
        "customer": customer,
        "filters": filters,
        "partial": True,
        **timeline_context(
            session,
            customer.id,
            filters,
            cursor or None,
            viewer_of(session, user, client_ip(request)),
        ),
    }
    return render(request, "customers/_timeline_items.html", context, user=user)
