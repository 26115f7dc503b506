"""Risk over HTTP: the at-risk lists (of leaving, of a detractor answer) and one customer's
risks, each with its reasons in words. Names are masked (initials) as profiles are
(api/visibility.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from cxloop.api.deps import CustomersRead, SessionDep
from cxloop.api.visibility import visible_risks
from cxloop.privacy import audit
from cxloop.proactive import VALUE_TRAIT, RiskPage, RiskRead, customer_risk, risk_page

router = APIRouter(tags=["risk"])

ValueTrait = Annotated[
    str, Query(max_length=100, description="The trait holding each customer's value.")
]


@router.get("/risk", response_model=RiskPage)
def list_risk(
    session: SessionDep,
    principal: CustomersRead,
    request: Request,
    min_risk: Annotated[float, Query(ge=0, le=1, description="Only risks at least this.")] = 0,
    value_trait: ValueTrait = VALUE_TRAIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    kind: Annotated[
        Literal["churn", "detraction"],
        Query(description="Sort by the risk of leaving, or of a detractor answer."),
    ] = "churn",
) -> RiskPage:
    """Customers by falling risk of leaving (or, with ``kind=detraction``, of answering the
    next survey 0-6), with the reasons, their value, open cases and the other model's score,
    from the latest nightly scoring."""
    page = risk_page(
        session, limit=limit, cursor=cursor, min_risk=min_risk, value_trait=value_trait, kind=kind
    )
    items = visible_risks(session, page.items, viewer=principal.viewer(request))
    return page.model_copy(update={"items": items})


@router.get("/customers/{customer_id}/risk", response_model=RiskRead)
def read_risk(
    customer_id: int,
    session: SessionDep,
    principal: CustomersRead,
    request: Request,
    value_trait: ValueTrait = VALUE_TRAIT,
) -> RiskRead:
    """One customer's latest risk of leaving with its reasons and their chance of a detractor
    answer beside it (404 when not scored: not yet, already gone, or objecting to
    profiling)."""
    read = customer_risk(session, customer_id, value_trait=value_trait)
    viewer = principal.viewer(request)
    if read.customer_id in viewer.unmasked(session, [read.customer_id]):
        audit(
            session,
            actor=viewer.actor,
            action="pii.viewed",
            target_type="customer",
            target_id=read.customer_id,
            ip=viewer.ip,
        )
    [shown] = visible_risks(session, [read], viewer=viewer)
    return shown
