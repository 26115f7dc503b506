"""The interactions domain's hook implementations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.interactions.exporting import iter_interactions
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
        return {"interactions": int(getattr(result, "rowcount", 0) or 0)}
    rows = session.execute(select(Interaction.id, Interaction.properties).where(where)).all()
    for interaction_id, properties in rows:
        session.execute(
            update(Interaction)
            .where(Interaction.id == interaction_id)
            .values(text=None, properties=measured(properties or {}))
            .execution_options(synchronize_session=False)
        )
    return {"interactions": len(rows)}


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
        "interactions": "interactions themselves; anonymize removes text and properties, "
        "delete removes the rows",
    }


@hookimpl
def cxloop_apply_retention(
    session: Session, kind: str, before: datetime, action: str, dry_run: bool
) -> int | None:
    if kind not in ("raw_text", "interactions"):
        return None
    where = [Interaction.occurred_at < before]
    if kind == "raw_text":
        where.append(Interaction.text.is_not(None))
    elif action == "anonymize":
        where.append(or_(Interaction.text.is_not(None), Interaction.properties != {}))
    if dry_run:
        return int(session.scalar(select(func.count()).where(*where)) or 0)
    if kind == "interactions" and action == "delete":
        stmt: Any = delete(Interaction).where(*where)
    else:
        values: dict[str, Any] = {"text": None}
        if kind == "interactions":
            values["properties"] = {}
        stmt = update(Interaction).where(*where).values(**values)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
