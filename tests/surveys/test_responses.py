"""Responses: saved page by page, completed once, and put on the customer's timeline."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction, timeline
from cxloop.surveys import (
    FatigueRules,
    Origin,
    complete,
    definition_of,
    invite,
    next_page,
    open_invitation,
    require_live,
    save_answers,
    start_response,
)
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.surveys.factories import make_survey

RULES = FatigueRules(cooldown_days=30, ttl_days=30)


def test_a_completed_invited_response_lands_on_the_timeline_next_to_its_trigger(
    session: Session,
) -> None:
    customer = make_customer(session, email="ann@example.com")
    delivery = make_interaction(
        session, customer_id=customer.id, channel="field", stage="delivery", type="Parcel Delivered"
    )
    survey = make_survey(session)
    invitation = invite(
        session,
        survey=survey,
        customer_ids=[customer.id],
        channel="email",
        rules=RULES,
        trigger_interaction_id=delivery.id,
    ).invitations[0]
    assert invitation.stage == "delivery"  # taken from the trigger

    open_invitation(session, invitation.id)
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(
            channel=invitation.channel,
            stage=invitation.stage,
            customer_id=customer.id,
            trigger_interaction_id=delivery.id,
        ),
        locale="en",
        invitation=invitation,
    )
    save_answers(session, response, {"nps": 2})
    assert response.status == "partial" and response.answers == {"nps": 2}
    assert next_page(definition_of(session, response), response.answers, 0) == 1
    save_answers(session, response, {"why": "The parcel came a week late", "easy": 2})
    complete(session, response)
    complete(session, response)  # a double submission changes nothing

    stored = session.scalars(
        select(Interaction).where(
            Interaction.customer_id == customer.id, Interaction.channel == "survey"
        )
    ).all()
    assert len(stored) == 1
    answer = stored[0]
    assert (answer.type, answer.stage, answer.text) == (
        "Survey Completed",
        "delivery",
        "The parcel came a week late",
    )
    assert answer.properties["in_reply_to"] == delivery.message_id
    assert answer.properties["origin_channel"] == "email"
    assert answer.properties["scores"] == {"nps": 2, "ces": 2}
    assert timeline(session, customer_id=customer.id, limit=1).items[0].id == answer.id
    assert invitation.opened_at and invitation.started_at and invitation.completed_at


def test_a_required_question_must_be_answered_before_completing(session: Session) -> None:
    survey = make_survey(session)
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel="web"),
        locale="en",
    )
    with pytest.raises(ValidationFailed, match="please answer 'nps'"):
        complete(session, response)


def test_changing_a_branching_answer_drops_answers_it_now_hides(session: Session) -> None:
    survey = make_survey(session)
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel="web"),
        locale="en",
    )
    save_answers(session, response, {"nps": 3})
    save_answers(session, response, {"why": "rude agent"})
    save_answers(session, response, {"nps": 10})
    assert response.answers == {"nps": 10}


def test_an_anonymous_response_is_kept_without_a_timeline(session: Session) -> None:
    survey = make_survey(session)
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel="qr", place="store-lisbon-1"),
        locale="en",
    )
    save_answers(session, response, {"nps": 9})
    complete(session, response)
    assert (response.status, response.place) == ("complete", "store-lisbon-1")
    assert (
        session.scalar(
            select(Interaction.id).where(Interaction.message_id == f"survey-response-{response.id}")
        )
        is None
    )
