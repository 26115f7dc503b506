from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.errors import NotFound, ValidationFailed
from cxloop.understanding import TopicUpdate, delete_topic, list_topics, update_topic
from tests.understanding.factories import make_billing_and_delivery, make_topic, path


def test_topics_nest_into_paths(session: Session) -> None:
    billing, charge, _ = make_billing_and_delivery(session)
    assert charge.path == path("Billing", "Unexpected charge")
    assert [t.path for t in list_topics(session)] == [
        "Billing",
        path("Billing", "Unexpected charge"),
        "Delivery",
    ]
    renamed = update_topic(session, topic_id=billing.id, data=TopicUpdate(name="Payments"))
    assert renamed.path == "Payments"
    assert {t.path for t in list_topics(session)} >= {path("Payments", "Unexpected charge")}


def test_a_topic_cannot_sit_under_itself_or_too_deep(session: Session) -> None:
    billing, charge, _ = make_billing_and_delivery(session)
    with pytest.raises(ValidationFailed, match="under itself"):
        update_topic(session, topic_id=billing.id, data=TopicUpdate(parent_id=charge.id))
    level3 = make_topic(session, "Card fee", parent=charge)
    level4 = make_topic(session, "Foreign card fee", parent=level3)
    with pytest.raises(ValidationFailed, match="deep"):
        make_topic(session, "Too deep", parent=level4)


def test_deleting_a_topic_deletes_its_children(session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    delete_topic(session, topic_id=billing.id)
    assert [t.id for t in list_topics(session)] == [delivery.id]
    with pytest.raises(NotFound):
        delete_topic(session, topic_id=charge.id)
