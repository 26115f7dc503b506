"""An answer to a customer: an outbound interaction on their timeline, linked to the case,
queued for delivery on the case's channel, and the case moved on."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import REPLY_TYPE, CaseLink, CaseMessage, reply
from cxloop.errors import Conflict, ValidationFailed
from cxloop.interactions import Interaction
from tests.cases.factories import MONDAY_9AM_PARIS, directory, make_agent, make_case, make_team


def test_an_answer_is_an_outbound_interaction_on_the_customers_timeline(
    session: Session,
) -> None:
    billing = make_team(session, "billing")
    agent = make_agent(session, billing)
    case = make_case(session, department=billing, text="I was charged twice")

    message = reply(
        directory(session), case.id, author=agent, body="  Refunded today.  ", now=MONDAY_9AM_PARIS
    )

    answer = session.get(Interaction, message.interaction_id)
    assert answer is not None
    assert (answer.direction, answer.type, answer.channel) == ("out", REPLY_TYPE, "email")
    assert (answer.customer_id, answer.text, answer.assisted) == (
        case.customer_id,
        "Refunded today.",
        True,
    )
    assert (answer.agent, answer.department_id) == (agent.email, billing.id)
    assert answer.properties["case_id"] == case.id
    assert answer.properties["subject"] == f"Re: {case.subject}"
    timeline = session.scalars(
        select(Interaction.id)
        .where(Interaction.customer_id == case.customer_id)
        .order_by(Interaction.id)
    )
    assert list(timeline)[-1] == answer.id
    roles = session.scalars(select(CaseLink.role).where(CaseLink.interaction_id == answer.id))
    assert list(roles) == ["reply"]
    assert (message.status, message.channel) == ("queued", "email")
    assert case.status == "waiting" and case.first_responded_at == MONDAY_9AM_PARIS


def test_an_empty_answer_or_one_to_a_merged_case_is_refused(session: Session) -> None:
    billing = make_team(session, "billing")
    agent = make_agent(session, billing)
    kept = make_case(session, department=billing, text="Where is my refund?")
    merged = make_case(session, department=billing, text="Refund?", merged_into_id=kept.id)

    with pytest.raises(ValidationFailed) as empty:
        reply(directory(session), kept.id, author=agent, body="   ")
    assert empty.value.extra["field"] == "body"
    with pytest.raises(Conflict, match=f"merged into case {kept.id}"):
        reply(directory(session), merged.id, author=agent, body="Hello")
    assert session.scalars(select(CaseMessage)).all() == []
