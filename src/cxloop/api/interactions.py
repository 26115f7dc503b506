"""``POST /api/v1/interactions``: assisted and system interactions logged over REST."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from cxloop.api.deps import InteractionsWrite, SessionDep, SettingsDep
from cxloop.errors import CxloopError, ValidationFailed
from cxloop.interactions import (
    InteractionBulk,
    InteractionCreate,
    InteractionIn,
    Stored,
    StoredPage,
    store_outcomes,
)

router = APIRouter(prefix="/interactions", tags=["interactions"])


def _store(session: Session, items: list[InteractionCreate], allow_weak: bool) -> StoredPage:
    outcomes: list[InteractionIn | CxloopError] = []
    for item in items:
        try:
            outcomes.append(item.to_record())
        except CxloopError as exc:
            outcomes.append(exc)
    result = store_outcomes(session, outcomes, allow_weak_merge=allow_weak)
    rejected = {r.index: r for r in result.rejected}
    results: list[Stored] = []
    for index, (item, outcome) in enumerate(zip(items, outcomes, strict=True)):
        message_id = item.message_id or getattr(outcome, "message_id", "")
        if index in rejected:
            results.append(
                Stored(
                    message_id=message_id,
                    customer_id=None,
                    status="rejected",
                    field=rejected[index].field,
                    detail=rejected[index].detail,
                )
            )
        else:
            customer_id = result.customer_ids[index]
            status = "stored" if customer_id is not None else "duplicate"
            results.append(Stored(message_id=message_id, customer_id=customer_id, status=status))
    return StoredPage(
        stored=result.stored,
        duplicates=result.duplicates,
        rejected=len(result.rejected),
        results=results,
    )


@router.post("", status_code=201, response_model=Stored)
def create_interaction(
    body: InteractionCreate, session: SessionDep, settings: SettingsDep, _who: InteractionsWrite
) -> Stored:
    """Log one interaction; a repeated ``message_id`` is a duplicate, never stored twice."""
    page = _store(session, [body], settings.allow_weak_identity_merge)
    outcome = page.results[0]
    if outcome.status == "rejected":
        raise ValidationFailed(outcome.detail or "rejected", field=outcome.field)
    return outcome


@router.post("/bulk", response_model=StoredPage)
def create_interactions(
    body: InteractionBulk, session: SessionDep, settings: SettingsDep, _who: InteractionsWrite
) -> StoredPage:
    """Up to 1,000 interactions; valid ones are stored, each result says what happened."""
    return _store(session, body.interactions, settings.allow_weak_identity_merge)
