"""A customer's risk scores (of leaving, of a detractor answer) and the actions taken for
them are theirs: exported with their data, removed when they are erased, and carried over
when two customers turn out to be one."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.hooks import get_plugin_manager
from cxloop.privacy import collect_person, erase_person
from cxloop.proactive import DetractionScore, PlaybookAction, RiskScore
from tests.customers.factories import make_customer
from tests.proactive.factories import NOW

REASON = {"feature": "last NPS", "value": 2.0, "text": "last NPS 2 (typical 8)", "weight": 0.8}


def scored(session: Session, risk: float = 0.7) -> int:
    customer = make_customer(session)
    session.add(
        RiskScore(
            customer_id=customer.id,
            risk=risk,
            reasons=[REASON],
            model_version="churn-test",
            scored_at=NOW,
        )
    )
    session.add(
        DetractionScore(
            customer_id=customer.id,
            risk=risk / 2,
            reasons=[REASON],
            model_version="detraction-test",
            scored_at=NOW,
        )
    )
    session.add(PlaybookAction(customer_id=customer.id, action="case", risk=risk, at=NOW))
    session.flush()
    return customer.id


def test_exported_with_the_persons_data(session: Session) -> None:
    customer_id = scored(session)

    data = collect_person(session, customer_id)

    assert data["risk_scores"] == [
        {
            "risk": 0.7,
            "reasons": ["last NPS 2 (typical 8)"],
            "model_version": "churn-test",
            "scored_at": NOW,
        }
    ]
    assert [(d["risk"], d["model_version"]) for d in data["detraction_scores"]] == [
        (0.35, "detraction-test")
    ]
    assert [a["action"] for a in data["playbook_actions"]] == ["case"]


@pytest.mark.parametrize("mode", ["anonymize", "delete"])
def test_erased_in_either_mode(session: Session, mode: str) -> None:
    customer_id = scored(session)

    erase_person(session, customer_id, mode=mode)

    assert session.get(RiskScore, customer_id) is None
    assert session.get(DetractionScore, customer_id) is None
    assert session.scalars(select(PlaybookAction)).all() == []


def test_a_merge_keeps_the_winners_actions_and_drops_the_losers_score(session: Session) -> None:
    loser_id, winner_id = scored(session, 0.9), scored(session, 0.3)
    # What identity resolution calls on every domain when two profiles turn out to be one.
    get_plugin_manager().hook.cxloop_customers_merged(
        session=session, winner_id=winner_id, loser_id=loser_id
    )
    session.expire_all()

    assert session.get(RiskScore, loser_id) is None
    assert session.get(DetractionScore, loser_id) is None
    assert session.get(RiskScore, winner_id) is not None
    owners = session.scalars(select(PlaybookAction.customer_id)).all()
    assert owners == [winner_id, winner_id]
