"""The interactions domain's hook implementations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.interactions.exporting import iter_interactions
from cxloop.interactions.models import Interaction
from cxloop.store.crud import rows_affected
from cxloop.types import utcnow

BATCH = 1000


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """A merge moves the whole timeline: every interaction of the loser goes to the winner."""
    result = session.execute(
        update(Interaction)
        .where(Interaction.customer_id == loser_id)
        .values(customer_id=winner_id)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    return {"interactions": list(iter_interactions(session, customer_ids=customer_ids))}


@hookimpl
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Anonymizing keeps what metrics count (when, where, which stage and type, and the
    numbers: scores, an ``nps`` property) and drops what the customer said or sent (text and
    every other property)."""
    where = Interaction.customer_id.in_(customer_ids)
    if mode == "delete":
        result = session.execute(
            delete(Interaction).where(where).execution_options(synchronize_session=False)
        )
        return {"interactions": rows_affected(result)}
    return {"interactions": anonymize_interactions(session, [where])}


def anonymize_interactions(session: Session, where: list[Any]) -> int:
    """The one anonymization of interactions, for an erasure and a retention policy alike: the
    text and every property but the numbers go (``measured``), so metrics count the row as
    before; the row is marked, so no later run counts or rewrites it again."""
    pending = select(Interaction.id, Interaction.properties).where(
        *where, Interaction.anonymized_at.is_(None)
    )
    rows = session.execute(pending).all()
    now = utcnow()
    for start in range(0, len(rows), BATCH):
        session.execute(
            update(Interaction).execution_options(synchronize_session=False),
            [
                {"id": i, "text": None, "properties": measured(p or {}), "anonymized_at": now}
                for i, p in rows[start : start + BATCH]
            ],
        )
    return len(rows)


def measured(properties: dict[str, Any]) -> dict[str, Any]:
    """The numbers among ``properties`` (and in its ``scores``): what metrics read, and
    nothing a person wrote or is called."""

    def numbers(values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in values.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }

    kept = numbers(properties)
    scores = properties.get("scores")
    if isinstance(scores, dict) and numbers(scores):
        kept["scores"] = numbers(scores)
    return kept


@hookimpl
def cxloop_retention_kinds() -> dict[str, str]:
    return {
        "raw_text": "the text of interactions (emails, chats, call notes, comments); "
        "either action removes the text and keeps the interaction",
        "interactions": "interactions themselves; anonymize removes the text and every "
        "property but the numbers (scores, nps), as an erasure does, delete removes the rows",
    }


@hookimpl
def cxloop_apply_retention(
    session: Session, kind: str, before: datetime, action: str, dry_run: bool
) -> int | None:
    if kind not in ("raw_text", "interactions"):
        return None
    where: list[Any] = [Interaction.occurred_at < before]
    if kind == "interactions" and action == "anonymize":
        if dry_run:
            pending = [*where, Interaction.anonymized_at.is_(None)]
            return int(session.scalar(select(func.count()).where(*pending)) or 0)
        return anonymize_interactions(session, where)
    if kind == "raw_text":
        where.append(Interaction.text.is_not(None))
    if dry_run:
        return int(session.scalar(select(func.count()).where(*where)) or 0)
    stmt: Any = (
        delete(Interaction).where(*where)
        if kind == "interactions"
        else update(Interaction).where(*where).values(text=None)
    )
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return rows_affected(result)
