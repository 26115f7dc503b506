"""Problems: suggested from shared topics, fixed once, every affected customer told."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import CaseMessage, evaluate
from cxloop.cases.problems import announce, create_problem, mark_fixed, suggest
from cxloop.errors import Conflict
from tests.accounts.factories import make_user
from tests.cases.factories import directory, make_case_rule, make_interaction

OUTAGE = {"name": "Outage", "path": "Network > Outage", "confidence": 0.9}


def outage_cases(session: Session, n: int):
    make_case_rule(session, [{"field": "topic", "op": "eq", "value": "Outage"}])
    ids = [
        make_interaction(session, text="No internet again", enrichment={"topics": [OUTAGE]}).id
        for _ in range(n)
    ]
    return evaluate(session, directory(session), ids).cases


def test_cases_sharing_a_topic_are_suggested_as_one_problem(session: Session) -> None:
    cases = outage_cases(session, 3)
    [suggestion] = suggest(session)
    assert suggestion.topic == "Network > Outage"
    assert suggestion.case_ids == sorted(c.id for c in cases)
    assert suggest(session, minimum=4) == []


def test_announcing_a_fix_answers_and_solves_every_case_once(session: Session) -> None:
    cases = outage_cases(session, 3)
    lead = make_user(session, role="admin")
    problem = create_problem(
        session, title="Fibre outage in Lyon", case_ids=[c.id for c in cases], actor=lead.email
    )
    with pytest.raises(Conflict, match="fixed before"):
        announce(directory(session), problem, author=lead, message="Fixed!")

    mark_fixed(session, problem, fix="Replaced the switch")
    told = announce(
        directory(session), problem, author=lead, message="You told us; we fixed the switch."
    )

    assert told == 3
    assert {c.status for c in cases} == {"solved"}
    messages = session.scalars(
        select(CaseMessage.case_id).where(CaseMessage.case_id.in_([c.id for c in cases]))
    )
    assert sorted(messages) == sorted(c.id for c in cases)
    with pytest.raises(Conflict, match="already announced"):
        announce(directory(session), problem, author=lead, message="again")
