"""Proactive's hook implementations: a customer's risk scores and the actions taken for them
follow merges, are exported with the rest of their data, and go when they are erased.

A risk score is profiling about a person, so erasure removes it in either mode; the next
scoring run does not bring it back for an erased customer (nothing left to score).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.proactive.models import DetractionScore, LatestScore, PlaybookAction, RiskScore
from cxloop.store.crud import rows_affected

KIND = "risk_scores"
DETRACTION_KIND = "detraction_scores"
ACTIONS = "playbook_actions"
SCORES: tuple[tuple[str, type[LatestScore]], ...] = (
    (KIND, RiskScore),
    (DETRACTION_KIND, DetractionScore),
)


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """The actions follow the customer (so the contact caps still hold); the loser's scores
    go, the winner's are recomputed from the merged timeline at the next run."""
    for _, table in SCORES:
        session.execute(
            delete(table)
            .where(table.customer_id == loser_id)
            .execution_options(synchronize_session=False)
        )
    moved = session.execute(
        update(PlaybookAction)
        .where(PlaybookAction.customer_id == loser_id)
        .values(customer_id=winner_id)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(moved)


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    exported: dict[str, Any] = {}
    for kind, table in SCORES:
        scores = session.scalars(
            select(table).where(table.customer_id.in_(customer_ids)).order_by(table.customer_id)
        )
        exported[kind] = [
            {
                "risk": s.risk,
                "reasons": [r.get("text") for r in s.reasons],
                "model_version": s.model_version,
                "scored_at": s.scored_at,
            }
            for s in scores
        ]
    actions = session.scalars(
        select(PlaybookAction)
        .where(PlaybookAction.customer_id.in_(customer_ids))
        .order_by(PlaybookAction.id)
    )
    return {
        **exported,
        ACTIONS: [
            {"action": a.action, "case_id": a.case_id, "risk": a.risk, "at": a.at} for a in actions
        ],
    }


@hookimpl(tryfirst=True)
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Runs before cases and the customer are erased, since actions point at both."""
    removed: dict[str, int] = {}
    stored: tuple[tuple[str, type[LatestScore] | type[PlaybookAction]], ...] = (
        *SCORES,
        (ACTIONS, PlaybookAction),
    )
    for kind, model in stored:
        result = session.execute(
            delete(model)
            .where(model.customer_id.in_(customer_ids))
            .execution_options(synchronize_session=False)
        )
        removed[kind] = rows_affected(result)
    return removed
