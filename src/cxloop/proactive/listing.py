"""The at-risk lists: customers by falling risk of leaving (or of a detractor answer), each
with reasons, value, open cases and the other model's score, one page at a time (a keyset
page: risk, then customer id)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.cases import ACTIVE_STATUSES, Case
from cxloop.customers import Customer
from cxloop.errors import NotFound
from cxloop.proactive.model import DETRACTION, TASK
from cxloop.proactive.models import DetractionScore, LatestScore, RiskScore
from cxloop.proactive.schemas import RiskPage, RiskRead, reason_reads, score_read
from cxloop.proactive.table import cell
from cxloop.store.crud import Page, keyset_page

VALUE_TRAIT = "monthly_value"


def _open_cases(session: Session, customer_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(
        select(Case.customer_id, func.count())
        .where(
            Case.customer_id.in_(list(customer_ids)),
            Case.status.in_(sorted(ACTIVE_STATUSES)),
            Case.merged_into_id.is_(None),
        )
        .group_by(Case.customer_id)
    )
    return dict(rows.all())


TABLES: dict[str, type[LatestScore]] = {TASK: RiskScore, DETRACTION: DetractionScore}


def _reads(
    session: Session,
    scores: Sequence[LatestScore],
    value_trait: str,
    kind: str = TASK,
) -> list[RiskRead]:
    ids = [s.customer_id for s in scores]
    customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    busy = _open_cases(session, ids)
    other_kind = DETRACTION if kind == TASK else TASK
    table = TABLES[other_kind]
    others = {
        s.customer_id: s for s in session.scalars(select(table).where(table.customer_id.in_(ids)))
    }
    reads = []
    for score in scores:
        customer = customers[score.customer_id]
        reads.append(
            RiskRead(
                customer_id=score.customer_id,
                name=customer.name,
                kind=DETRACTION if kind == DETRACTION else TASK,
                risk=score.risk,
                reasons=reason_reads(score.reasons),
                model_version=score.model_version,
                scored_at=score.scored_at,
                value=cell((customer.traits or {}).get(value_trait)),
                open_cases=busy.get(score.customer_id, 0),
                **{other_kind: score_read(others.get(score.customer_id))},
            )
        )
    return reads


def risk_page(
    session: Session,
    *,
    limit: int = 50,
    cursor: str | None = None,
    min_risk: float = 0.0,
    value_trait: str = VALUE_TRAIT,
    kind: str = TASK,
) -> RiskPage:
    """The customers at highest risk first: of leaving, or (``kind="detraction"``) of
    answering the next survey as a detractor."""
    table = TABLES[kind]
    page: Page[LatestScore] = keyset_page(
        session,
        select(table).where(table.risk >= min_risk),
        keys=[table.risk, table.customer_id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda s: [s.risk, s.customer_id],
    )
    items = _reads(session, page.items, value_trait, kind)
    return RiskPage(items=items, next_cursor=page.next_cursor)


def customer_risk(
    session: Session, customer_id: int, *, value_trait: str = VALUE_TRAIT
) -> RiskRead:
    """A customer's latest risk of leaving, with their chance of a detractor answer beside it
    (following a merge to the surviving customer); a customer only the detraction model
    scored gets that score (``kind`` says which)."""
    customer = session.get(Customer, customer_id)
    while customer is not None and customer.merged_into_id is not None:
        customer = session.get(Customer, customer.merged_into_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    for kind, table in TABLES.items():  # churn first; a detraction score alone otherwise
        score = session.get(table, customer.id)
        if score is not None:
            [read] = _reads(session, [score], value_trait, kind)
            return read
    raise NotFound(
        f"customer {customer.id} has no risk score (not scored yet, already gone, or "
        "objecting to profiling)"
    )
