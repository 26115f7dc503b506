"""The interactions domain's hook implementations."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.interactions.models import Interaction


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """A merge moves the whole timeline: every interaction of the loser goes to the winner."""
    result = session.execute(
        update(Interaction)
        .where(Interaction.customer_id == loser_id)
        .values(customer_id=winner_id)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
