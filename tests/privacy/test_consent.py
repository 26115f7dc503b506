"""Consent: the latest decision per purpose counts; defaults follow the purpose."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.privacy import (
    Purpose,
    consent_history,
    decisions_from_context,
    has_consent,
    record_consent,
    record_consents,
)
from tests.customers.factories import make_customer


def test_without_a_decision_only_service_purposes_are_allowed(session: Session) -> None:
    customer = make_customer(session)

    assert has_consent(session, customer_id=customer.id, purpose="surveys")
    assert has_consent(session, customer_id=customer.id, purpose="analytics")
    assert not has_consent(session, customer_id=customer.id, purpose="marketing")
    assert not has_consent(session, customer_id=customer.id, purpose="profiling")


def test_the_latest_decision_wins_and_the_history_is_kept(session: Session) -> None:
    customer = make_customer(session)
    record_consent(
        session, customer_id=customer.id, purpose="marketing", granted=True, source="web"
    )
    record_consent(
        session, customer_id=customer.id, purpose="marketing", granted=False, source="email link"
    )

    assert not has_consent(session, customer_id=customer.id, purpose=Purpose.marketing)
    history = consent_history(session, customer_ids=[customer.id])
    assert [(r.granted, r.source) for r in history] == [(True, "web"), (False, "email link")]


def test_withdrawing_a_default_purpose_is_honoured(session: Session) -> None:
    customer = make_customer(session)
    record_consent(session, customer_id=customer.id, purpose="surveys", granted=False, source="x")

    assert not has_consent(session, customer_id=customer.id, purpose="surveys")


def test_repeated_preferences_are_recorded_once(session: Session) -> None:
    customer = make_customer(session)
    for _ in range(3):
        record_consents(
            session,
            customer_id=customer.id,
            decisions={Purpose.analytics: False, Purpose.marketing: True},
            source="ingest",
        )

    assert len(consent_history(session, customer_ids=[customer.id])) == 2


def test_an_unknown_purpose_is_refused_by_name(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(ValidationFailed, match="unknown consent purpose 'spam'"):
        record_consent(session, customer_id=customer.id, purpose="spam", granted=True, source="x")


def test_segment_consent_categories_map_to_purposes() -> None:
    context = {
        "consent": {
            "categoryPreferences": {
                "Advertising": False,
                "Analytics": True,
                "Personalization": True,
                "Functional": True,
            }
        }
    }

    assert decisions_from_context(context) == {
        Purpose.marketing: False,
        Purpose.analytics: True,
        Purpose.profiling: True,
    }
    assert decisions_from_context({"consent": "yes"}) == {}
