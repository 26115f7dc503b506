"""Customer 360 over HTTP: search, profile, timeline and journey. Thin: parse, call, return.

A merged-away customer id keeps answering with the surviving customer (its id in the body
and ``Content-Location`` pointing at the canonical URL), so ids stored elsewhere never break.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from cxloop.api.deps import CustomersRead, SessionDep
from cxloop.api.visibility import visible_customer, visible_customers, visible_timeline
from cxloop.customers import get_customer, read_customer, search_page
from cxloop.customers.schemas import CustomerPage, CustomerRead
from cxloop.interactions import journey_summary, timeline_page
from cxloop.interactions.schemas import JourneySummary, TimelinePage

router = APIRouter(prefix="/customers", tags=["customers"])

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Cursor = Annotated[str | None, Query(description="The next_cursor of the previous page.")]


def _canonical(response: Response, asked: int, surviving: int, suffix: str = "") -> None:
    if asked != surviving:
        response.headers["Content-Location"] = f"/api/v1/customers/{surviving}{suffix}"


@router.get("", response_model=CustomerPage)
def list_customers(
    session: SessionDep,
    principal: CustomersRead,
    request: Request,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Email, phone, user id, anonymous id, external id "
            "(system:id), social handle, or text in the name or traits.",
        ),
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 25,
) -> CustomerPage:
    """Search customers by any identity or by name/trait text, newest first (personal data
    masked without the pii.read permission, or when only other departments dealt with them)."""
    page = search_page(session, q=q, cursor=cursor, limit=limit)
    return visible_customers(session, page, viewer=principal.viewer(request))


@router.get("/{customer_id}", response_model=CustomerRead)
def read_one(
    customer_id: int,
    session: SessionDep,
    principal: CustomersRead,
    request: Request,
    response: Response,
) -> CustomerRead:
    """A customer's profile and identities (merged-away ids answer with the survivor);
    masked without pii.read, and an unmasked view is audited."""
    customer = get_customer(session, customer_id)
    _canonical(response, customer_id, customer.id)
    return visible_customer(
        session, read_customer(session, customer), viewer=principal.viewer(request)
    )


@router.get("/{customer_id}/timeline", response_model=TimelinePage)
def read_timeline(
    customer_id: int,
    session: SessionDep,
    principal: CustomersRead,
    request: Request,
    response: Response,
    cursor: Cursor = None,
    limit: Limit = 50,
    channel: Annotated[list[str], Query(description="Only these channels.")] = [],  # noqa: B006
    stage: Annotated[list[str], Query(description="Only these journey stages.")] = [],  # noqa: B006
    type: Annotated[str | None, Query(description="Only this interaction type.")] = None,
    since: Annotated[datetime | None, Query(description="From this time (inclusive).")] = None,
    until: Annotated[datetime | None, Query(description="Before this time (exclusive).")] = None,
) -> TimelinePage:
    """Every interaction of the customer across channels, newest first, cursor-paged (texts
    withheld without raw_text.read, and those of other departments' interactions from a
    department's agent)."""
    customer = get_customer(session, customer_id)
    _canonical(response, customer_id, customer.id, "/timeline")
    page = timeline_page(
        session,
        customer_id=customer.id,
        cursor=cursor,
        limit=limit,
        channels=channel,
        stages=stage,
        type=type,
        since=since,
        until=until,
    )
    return visible_timeline(page, viewer=principal.viewer(request))


@router.get("/{customer_id}/journey", response_model=JourneySummary)
def read_journey(
    customer_id: int, session: SessionDep, _principal: CustomersRead, response: Response
) -> JourneySummary:
    """Per-stage and per-channel counts with first and last times (the journey chart)."""
    customer = get_customer(session, customer_id)
    _canonical(response, customer_id, customer.id, "/journey")
    return journey_summary(session, customer.id)
