from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.understanding import (
    TopicCreate,
    TopicRead,
    TopicUpdate,
    delete_topic,
    list_topics,
    read_topic,
    subtopics,
    update_topic,
)
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


def test_a_topic_needs_a_name_that_is_not_blank() -> None:
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="a topic needs a name"):
            TopicCreate(name=blank)
        with pytest.raises(ValidationError, match="a topic needs a name"):
            TopicUpdate(name=blank)
    assert TopicUpdate(description="only this").name is None


def test_two_topics_side_by_side_cannot_share_a_name(session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    with pytest.raises(Conflict, match="already a topic 'Billing' at the top level") as refused:
        make_topic(session, " billing ")
    assert refused.value.extra == {"field": "name"}
    with pytest.raises(Conflict, match="'Unexpected charge' under this parent"):
        make_topic(session, "UNEXPECTED CHARGE", parent=billing)
    with pytest.raises(Conflict, match="already a topic 'Delivery'"):
        update_topic(session, topic_id=billing.id, data=TopicUpdate(name="Delivery"))
    # The same name under another parent is another topic, and a topic keeps its own name.
    late = make_topic(session, "Unexpected charge", parent=delivery)
    assert late.path == path("Delivery", "Unexpected charge")
    with pytest.raises(Conflict, match="under this parent"):
        update_topic(session, topic_id=late.id, data=TopicUpdate(parent_id=billing.id))
    kept = update_topic(session, topic_id=charge.id, data=TopicUpdate(name="Unexpected Charge"))
    assert kept.name == "Unexpected Charge"


def test_a_topic_moves_under_another_parent_with_its_subtopics(session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    fee = make_topic(session, "Card fee", parent=charge)
    moved = update_topic(session, topic_id=charge.id, data=TopicUpdate(parent_id=delivery.id))
    assert moved.path == path("Delivery", "Unexpected charge")
    assert read_topic(session, fee.id).path == path("Delivery", "Unexpected charge", "Card fee")
    with pytest.raises(ValidationFailed, match="under one of its own subtopics"):
        update_topic(session, topic_id=delivery.id, data=TopicUpdate(parent_id=fee.id))
    top = update_topic(session, topic_id=charge.id, data=TopicUpdate(parent_id=None))
    assert top.path == "Unexpected charge" and top.parent_id is None
    assert read_topic(session, billing.id).path == "Billing"


def test_a_move_that_would_nest_subtopics_too_deep_is_refused(session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    level3 = make_topic(session, "Card fee", parent=charge)
    late = make_topic(session, "Late", parent=delivery)
    # Billing is three levels tall: under Delivery > Late it would reach a fifth level.
    with pytest.raises(ValidationFailed, match="subtopics included") as refused:
        update_topic(session, topic_id=billing.id, data=TopicUpdate(parent_id=late.id))
    assert refused.value.extra == {"field": "parent_id"}
    assert read_topic(session, level3.id).path == path("Billing", "Unexpected charge", "Card fee")
    assert update_topic(session, topic_id=billing.id, data=TopicUpdate(parent_id=delivery.id))


def test_subtopics_are_what_deleting_takes_along(session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    fee = make_topic(session, "Card fee", parent=charge)
    assert [t.id for t in subtopics(session, topic_id=billing.id)] == [charge.id, fee.id]
    assert subtopics(session, topic_id=delivery.id) == []
    with pytest.raises(NotFound):
        subtopics(session, topic_id=fee.id + 1000)


def test_a_parent_that_does_not_exist_is_refused_by_field(session: Session) -> None:
    # Not a small id such as 404: PostgreSQL's sequences are not reset between tests, and the
    # demo loads and taxonomy tests before this one create topics by the dozen.
    missing = 2_000_000_000
    with pytest.raises(ValidationFailed, match=f"no topic {missing} to go under") as refused:
        make_topic(session, "Orphan", parent=TopicRead.model_construct(id=missing))
    assert refused.value.extra == {"field": "parent_id"}
