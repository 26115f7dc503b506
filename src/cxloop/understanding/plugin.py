"""The understanding domain's hook implementations (privacy requests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.interactions import Interaction
from cxloop.store.crud import rows_affected
from cxloop.understanding.models import Enrichment


def _of(customer_ids: list[int]) -> Any:
    return Enrichment.interaction_id.in_(
        select(Interaction.id).where(Interaction.customer_id.in_(customer_ids))
    )


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    rows = session.scalars(select(Enrichment).where(_of(customer_ids)).order_by(Enrichment.id))
    return {
        "enrichments": [
            {
                "interaction_id": e.interaction_id,
                "language": e.language,
                "redacted_text": e.redacted,
                "sentiment": e.sentiment,
                "emotion": e.emotion,
                "intent": e.intent,
                "topics": [t.get("path") for t in e.topics],
                "urgency": e.urgency,
                "enriched_at": e.enriched_at.isoformat(),
            }
            for e in rows
        ]
    }


@hookimpl
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Anonymizing keeps what text analytics count (sentiment, emotion, topics) and drops the
    words: a redacted text can still hold what no pattern recognised."""
    where = _of(customer_ids)
    if mode == "delete":
        result = session.execute(
            delete(Enrichment).where(where).execution_options(synchronize_session=False)
        )
    else:
        result = session.execute(
            update(Enrichment)
            .where(where)
            .values(redacted="", pii=[], error=None)
            .execution_options(synchronize_session=False)
        )
    return {"enrichments": rows_affected(result)}


@hookimpl
def cxloop_apply_retention(
    session: Session, kind: str, before: datetime, action: str, dry_run: bool
) -> int | None:
    """When the text of old interactions goes, so does the redacted copy enrichment kept of
    it (a pattern can miss a name); the figures drawn from it (sentiment, topics) stay."""
    if kind != "raw_text" and (kind, action) != ("interactions", "anonymize"):
        return None
    where = (
        Enrichment.interaction_id.in_(
            select(Interaction.id).where(Interaction.occurred_at < before)
        ),
        Enrichment.redacted != "",
    )
    if dry_run:
        return int(session.scalar(select(func.count()).where(*where)) or 0)
    result = session.execute(
        update(Enrichment)
        .where(*where)
        .values(redacted="", pii=[])
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)
