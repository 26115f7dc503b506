"""The surveys domain's hook implementations."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.surveys.models import Invitation, OptOut, Response


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """Invitations, responses and an opt-out follow the customer into the merge (an opt-out
    of either person holds for the merged one)."""
    moved = 0
    for model in (Invitation, Response):
        result = session.execute(
            update(model)
            .where(model.customer_id == loser_id)
            .values(customer_id=winner_id)
            .execution_options(synchronize_session=False)
        )
        moved += int(getattr(result, "rowcount", 0) or 0)
    if session.scalar(select(OptOut.customer_id).where(OptOut.customer_id == loser_id)):
        if session.get(OptOut, winner_id) is None:
            session.add(OptOut(customer_id=winner_id, via="merge"))
        session.execute(delete(OptOut).where(OptOut.customer_id == loser_id))
        moved += 1
    return moved
