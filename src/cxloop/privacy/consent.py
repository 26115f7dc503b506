"""Consent per customer and purpose: recorded from every channel, checked by every sender.

Without any recorded decision, purposes that serve the customer's own experience (surveys,
analytics) are allowed under legitimate interest, while marketing and profiling need an
explicit grant. A withdrawal always wins over the default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.privacy.models import ConsentRecord, Purpose
from cxloop.types import utcnow

ALLOWED_WITHOUT_RECORD = frozenset({Purpose.surveys, Purpose.analytics})
# Segment's consent categories (context.consent.categoryPreferences) and common CMP names.
CATEGORY_PURPOSES = {
    "surveys": Purpose.surveys,
    "feedback": Purpose.surveys,
    "marketing": Purpose.marketing,
    "advertising": Purpose.marketing,
    "analytics": Purpose.analytics,
    "statistics": Purpose.analytics,
    "profiling": Purpose.profiling,
    "personalization": Purpose.profiling,
    "personalisation": Purpose.profiling,
}


def purpose_of(value: str) -> Purpose:
    try:
        return Purpose(value.strip().lower())
    except ValueError as exc:
        known = ", ".join(p.value for p in Purpose)
        raise ValidationFailed(
            f"unknown consent purpose '{value}' (known: {known})", field="purpose"
        ) from exc


def record_consent(
    session: Session,
    *,
    customer_id: int,
    purpose: Purpose | str,
    granted: bool,
    source: str,
    at: datetime | None = None,
) -> ConsentRecord:
    """``at`` keeps the original time of a decision imported from another system."""
    record = ConsentRecord(
        customer_id=customer_id,
        purpose=purpose_of(purpose).value,
        granted=granted,
        source=source[:200],
        recorded_at=at or utcnow(),
    )
    session.add(record)
    session.flush()
    return record


def record_consents(
    session: Session, *, customer_id: int, decisions: Mapping[Purpose, bool], source: str
) -> None:
    """Record only the decisions that change the customer's current state (ingest repeats
    the same preferences on every event)."""
    current = consent_state(session, customer_id=customer_id)
    for purpose, granted in decisions.items():
        latest = current.get(purpose)
        if latest is None or latest.granted != granted:
            record_consent(
                session, customer_id=customer_id, purpose=purpose, granted=granted, source=source
            )


def consent_state(session: Session, *, customer_id: int) -> dict[Purpose, ConsentRecord]:
    """The latest decision per purpose."""
    rows = session.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.customer_id == customer_id)
        .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
    )
    return {Purpose(r.purpose): r for r in rows}


def consent_history(session: Session, *, customer_ids: Iterable[int]) -> list[ConsentRecord]:
    return list(
        session.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.customer_id.in_(list(customer_ids)))
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        )
    )


def has_consent(session: Session, *, customer_id: int, purpose: Purpose | str) -> bool:
    """May cxloop use this customer's data for ``purpose``? Every sender and trigger asks."""
    wanted = purpose_of(purpose)
    latest = consent_state(session, customer_id=customer_id).get(wanted)
    if latest is None:
        return wanted in ALLOWED_WITHOUT_RECORD
    return latest.granted


def decisions_from_context(context: Mapping[str, Any]) -> dict[Purpose, bool]:
    """Consent carried by an event, Segment style: ``context.consent.categoryPreferences``.

    Unknown categories are ignored: they belong to the sender's other tools.
    """
    consent = context.get("consent")
    if not isinstance(consent, Mapping):
        return {}
    preferences = consent.get("categoryPreferences", consent)
    if not isinstance(preferences, Mapping):
        return {}
    decisions: dict[Purpose, bool] = {}
    for category, granted in preferences.items():
        purpose = CATEGORY_PURPOSES.get(str(category).strip().lower())
        if purpose is not None and isinstance(granted, bool):
            decisions[purpose] = granted
    return decisions
