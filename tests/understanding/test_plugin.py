from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.hooks import get_plugin_manager
from cxloop.understanding import Analyser, enrich_interactions, get_enrichment
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction


def test_export_and_erasure_cover_enrichments(session: Session, analyser: Analyser) -> None:
    ann = make_customer(session, email="ann@example.com")
    text = "My name is Ann Lee and I am furious: the refund never came, terrible service"
    interaction = make_interaction(session, customer_id=ann.id, text=text)
    interaction_id = interaction.id
    enrich_interactions(session, analyser, [interaction_id])
    hook = get_plugin_manager().hook

    exported = [
        part["enrichments"]
        for part in hook.cxloop_export_customer_data(session=session, customer_ids=[ann.id])
        if "enrichments" in part
    ]
    assert exported[0][0]["interaction_id"] == interaction_id
    assert exported[0][0]["sentiment"] == "negative"

    hook.cxloop_erase_customer_data(session=session, customer_ids=[ann.id], mode="anonymize")
    session.expire_all()
    kept = get_enrichment(session, interaction_id)
    assert kept is not None and kept.redacted == "" and kept.pii == []
    assert kept.sentiment == "negative"  # what analytics count survives

    hook.cxloop_erase_customer_data(session=session, customer_ids=[ann.id], mode="delete")
    session.expire_all()
    assert get_enrichment(session, interaction_id) is None
