"""Nobody is surveyed while their problem is still being worked on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.cases import CaseDraft, open_cases, set_status
from cxloop.surveys import FatigueRules, invite
from tests.cases.factories import directory
from tests.customers.factories import make_customer
from tests.surveys.factories import make_survey

RULES = FatigueRules(cooldown_days=0, ttl_days=30)


def test_a_customer_with_an_open_case_is_not_invited_until_it_is_solved(
    session: Session,
) -> None:
    survey = make_survey(session)
    waiting = make_customer(session, email="wait@example.com")
    free = make_customer(session, email="free@example.com")
    desk = directory(session)
    [case] = open_cases(
        session, desk, [CaseDraft(customer_id=waiting.id, subject="Refund", channel="email")]
    )

    first = invite(
        session, survey=survey, customer_ids=[waiting.id, free.id], channel="email", rules=RULES
    )
    set_status(desk, case, "solved", actor="ann")
    later = invite(session, survey=survey, customer_ids=[waiting.id], channel="email", rules=RULES)

    assert [i.customer_id for i in first.invitations] == [free.id]
    assert [(s.customer_id, s.reason) for s in first.suppressed] == [
        (waiting.id, "has an open case")
    ]
    assert [i.customer_id for i in later.invitations] == [waiting.id]
