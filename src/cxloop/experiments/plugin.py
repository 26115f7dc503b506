"""How experiments take part in merges and privacy requests (cxloop's plugin hooks).

An assignment holds no personal data beyond which customer is in which arm, so anonymizing
keeps it (the customer row stays, stripped; results stay right); deleting removes it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.experiments.models import Assignment, Experiment
from cxloop.hooks import hookimpl
from cxloop.store.crud import rows_affected

KIND = "experiment_assignments"


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """The loser's arms follow the customer, except where the winner already has an arm."""
    taken = set(
        session.scalars(select(Assignment.experiment_id).where(Assignment.customer_id == winner_id))
    )
    moved = 0
    for row in session.scalars(select(Assignment).where(Assignment.customer_id == loser_id)):
        if row.experiment_id in taken:
            session.delete(row)
        else:
            row.customer_id = winner_id
            moved += 1
    session.flush()
    return moved


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    rows = session.execute(
        select(Experiment.key, Assignment.arm, Assignment.assigned_at, Assignment.exposed_at)
        .join(Experiment, Experiment.id == Assignment.experiment_id)
        .where(Assignment.customer_id.in_(customer_ids))
        .order_by(Assignment.id)
    )
    return {
        KIND: [
            {"experiment": key, "arm": arm, "assigned_at": assigned, "exposed_at": exposed}
            for key, arm, assigned, exposed in rows
        ]
    }


@hookimpl(tryfirst=True)
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Runs before the customer is deleted, since assignments point at it."""
    if mode != "delete":
        return {KIND: 0}
    result = session.execute(
        delete(Assignment)
        .where(Assignment.customer_id.in_(customer_ids))
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return {KIND: rows_affected(result)}
