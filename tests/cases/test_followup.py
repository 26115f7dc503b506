"""After a solve: the customer is asked whether it is solved, and a "no" reopens the case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import (
    FOLLOWUP_KEY,
    CaseDraft,
    CaseEvent,
    follow_up,
    followup_answered,
    open_cases,
    set_status,
)
from cxloop.surveys import (
    Invitation,
    Origin,
    complete,
    live_version,
    opt_out,
    save_answers,
    start_response,
    survey_by_key,
)
from cxloop.types import utcnow
from tests.cases.factories import directory
from tests.customers.factories import make_customer


def solved_case(session: Session, **customer):
    desk = directory(session)
    person = make_customer(session, email=customer.pop("email", "ada@example.com"))
    draft = CaseDraft(customer_id=person.id, subject="Refund", channel="email")
    [case] = open_cases(session, desk, [draft])
    set_status(desk, case, "solved", actor="ann")
    return desk, case


def answer(session: Session, invitation_id: int, answers: dict):
    invitation = session.get(Invitation, invitation_id)
    survey = survey_by_key(session, FOLLOWUP_KEY)
    response = start_response(
        session,
        survey=survey,
        version=live_version(session, survey),
        origin=Origin(channel="email", customer_id=invitation.customer_id),
        locale="en",
        invitation=invitation,
    )
    save_answers(session, response, answers)
    return complete(session, response)


def test_a_solved_case_sends_one_follow_up_by_email(session: Session) -> None:
    _desk, case = solved_case(session)

    invitation_id = follow_up(session, case, ttl_days=30, now=utcnow())
    again = follow_up(session, case, ttl_days=30, now=utcnow())

    invitation = session.get(Invitation, invitation_id)
    assert (invitation.channel, invitation.email, invitation.status) == (
        "email",
        "ada@example.com",
        "queued",
    )
    assert again is None  # once per solve


def test_a_no_reopens_the_case_and_a_yes_leaves_it_solved(session: Session) -> None:
    desk, unhappy = solved_case(session)
    _, happy = solved_case(session, email="bob@example.com")
    bad = follow_up(session, unhappy, ttl_days=30, now=utcnow())
    good = follow_up(session, happy, ttl_days=30, now=utcnow())

    followup_answered(desk, answer(session, bad, {"solved": "no", "csat": 2}))
    followup_answered(desk, answer(session, good, {"solved": "yes", "csat": 5}))

    assert (unhappy.status, unhappy.reopen_count) == ("reopened", 1)
    assert happy.status == "solved"
    answered = session.scalars(
        select(CaseEvent.data).where(
            CaseEvent.case_id == happy.id, CaseEvent.kind == "followup_answered"
        )
    ).one()
    assert answered["answers"]["csat"] == 5


def test_a_customer_who_opted_out_is_not_asked_and_the_case_says_why(session: Session) -> None:
    _, case = solved_case(session)
    opt_out(session, customer_id=case.customer_id)

    assert follow_up(session, case, ttl_days=30, now=utcnow()) is None
    reason = session.scalars(
        select(CaseEvent.data).where(
            CaseEvent.case_id == case.id, CaseEvent.kind == "followup_skipped"
        )
    ).one()["reason"]
    assert "opted out" in reason
