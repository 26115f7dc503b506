from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.understanding import (
    Analyser,
    Enrichment,
    count_stale,
    enrich_interactions,
    get_enrichment,
    stale_interactions,
)
from cxloop.understanding.heads import Head
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.understanding.factories import make_billing_and_delivery, path


@pytest.fixture
def customer_id(session: Session) -> int:
    return make_customer(session, email="ann@example.com").id


def test_enrichment_is_stored_with_model_versions(
    session: Session, analyser: Analyser, customer_id: int
) -> None:
    make_billing_and_delivery(session)
    text = "You charged me twice! Refund 4111 1111 1111 1111 now or I'm cancelling my account"
    interaction = make_interaction(session, customer_id=customer_id, channel="email", text=text)
    silent = make_interaction(session, customer_id=customer_id)  # no text: nothing to enrich
    counts = enrich_interactions(session, analyser, [interaction.id, silent.id])
    assert counts == {"done": 1}
    enrichment = get_enrichment(session, interaction.id)
    assert enrichment is not None
    assert enrichment.sentiment == "negative" and enrichment.language == "en"
    assert "4111" not in enrichment.redacted and "[CARD]" in enrichment.redacted
    assert enrichment.urgency == "high" and "churn_threat" in enrichment.signals
    assert enrichment.topics[0]["path"] == path("Billing", "Unexpected charge")
    assert enrichment.model_versions == analyser.versions
    assert get_enrichment(session, silent.id) is None


def test_enriching_twice_keeps_one_row(
    session: Session, analyser: Analyser, customer_id: int
) -> None:
    interaction = make_interaction(session, customer_id=customer_id, text="Great service, thanks")
    enrich_interactions(session, analyser, [interaction.id])
    enrich_interactions(session, analyser, [interaction.id])
    rows = session.scalar(
        select(func.count())
        .select_from(Enrichment)
        .where(Enrichment.interaction_id == interaction.id)
    )
    assert rows == 1
    enrichment = get_enrichment(session, interaction.id)
    assert enrichment is not None and enrichment.attempts == 2


def test_backfill_walks_stale_interactions_and_resumes(
    session: Session, analyser: Analyser, customer_id: int
) -> None:
    made = [
        make_interaction(session, customer_id=customer_id, text=f"Order {n} arrived late")
        for n in range(5)
    ]
    ids = [i.id for i in made]
    before = count_stale(session, analyser)
    first = stale_interactions(session, analyser, limit=2)
    assert first == ids[:2]
    enrich_interactions(session, analyser, first)
    assert count_stale(session, analyser) == before - 2
    rest = stale_interactions(session, analyser, after_id=first[-1], limit=100)
    assert rest == ids[2:]


def test_a_text_that_breaks_a_model_fails_alone_and_is_retried_later(
    session: Session, analyser: Analyser, customer_id: int
) -> None:
    # A real head trained on vectors of another size: predicting with it raises.
    misfit = LogisticRegression().fit(np.eye(3), ["a", "b", "c"])
    broken = Analyser(
        analyser.encoder,
        analyser.detector,
        {**analyser.heads, "intent": Head("intent", ["a", "b", "c"], misfit, "other")},
    )
    fine = make_interaction(session, customer_id=customer_id, text="😀")
    bad = make_interaction(session, customer_id=customer_id, text="Where is my parcel?")
    counts = enrich_interactions(session, broken, [fine.id, bad.id])
    assert counts == {"skipped": 1, "failed": 1}
    failed = get_enrichment(session, bad.id)
    assert failed is not None and failed.status == "failed"
    assert failed.error and "ValueError" in failed.error
    assert bad.id in stale_interactions(session, broken, after_id=bad.id - 1)
    enrich_interactions(session, analyser, [bad.id])
    healed = get_enrichment(session, bad.id)
    assert healed is not None and healed.status == "done" and healed.error is None
