"""Opening rules: which interactions become cases, and which join one already open."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import Case, CaseEvent, CaseLink, evaluate
from tests.cases.factories import directory, make_case_rule, make_enrichment, make_interaction
from tests.customers.factories import make_customer

DETRACTOR = [{"field": "score.nps", "op": "le", "value": 6}]
ANGRY = [{"field": "emotion", "op": "eq", "value": "anger"}]
CHURN = [{"field": "signal", "op": "eq", "value": "churn_threat"}]


def detractor_response(session: Session, score: int, **fields):
    return make_interaction(
        session,
        channel="survey",
        type="Survey Response",
        properties={"scores": {"nps": score}},
        **fields,
    )


def test_a_detractor_score_opens_a_case_answered_by_email(session: Session) -> None:
    make_case_rule(session, DETRACTOR, name="Detractor", priority="high", tags=["nps"])
    response = detractor_response(
        session, 3, text="Nobody called me back.", enrichment={"sentiment": "negative"}
    )

    opened = evaluate(session, directory(session), [response.id])

    [case] = opened.cases
    assert (case.customer_id, case.priority, case.tags) == (response.customer_id, "high", ["nps"])
    assert case.channel == "email"  # a survey is answered by email
    assert case.subject == "Detractor: Nobody called me back."
    assert case.origin == "rule" and case.status == "new"
    links = session.scalars(select(CaseLink.interaction_id).where(CaseLink.case_id == case.id))
    assert list(links) == [response.id]


def test_a_promoter_opens_nothing(session: Session) -> None:
    make_case_rule(session, DETRACTOR)
    assert evaluate(session, directory(session), [detractor_response(session, 9).id]).cases == []


def test_conditions_read_the_enrichment(session: Session) -> None:
    make_case_rule(session, ANGRY, name="Angry")
    make_case_rule(session, CHURN, name="Churn threat", priority="urgent")
    calm = make_interaction(session, text="Thanks!", enrichment={"emotion": "joy"})
    leaving = make_interaction(
        session,
        text="I'm cancelling",
        enrichment={"emotion": "sadness", "signals": ["churn_threat"], "language": "en"},
    )

    opened = evaluate(session, directory(session), [calm.id, leaving.id])

    [case] = opened.cases
    assert case.customer_id == leaving.customer_id
    assert (case.priority, case.language) == ("urgent", "en")


def test_a_second_contact_joins_the_open_case_instead_of_opening_another(
    session: Session,
) -> None:
    make_case_rule(session, ANGRY)
    customer = make_customer(session)
    first = make_interaction(session, customer=customer, text="a", enrichment={"emotion": "anger"})
    second = make_interaction(session, customer=customer, text="b", enrichment={"emotion": "anger"})
    third = make_interaction(session, customer=customer, text="c", enrichment={"emotion": "anger"})
    desk = directory(session)

    [case] = evaluate(session, desk, [first.id, second.id]).cases
    later = evaluate(session, desk, [third.id])

    assert later.cases == [] and later.joined == 1
    linked = set(
        session.scalars(select(CaseLink.interaction_id).where(CaseLink.case_id == case.id))
    )
    assert linked == {first.id, second.id, third.id}


def test_evaluating_the_same_interactions_again_opens_nothing_twice(session: Session) -> None:
    make_case_rule(session, DETRACTOR)
    response = detractor_response(session, 0)
    desk = directory(session)

    evaluate(session, desk, [response.id])
    again = evaluate(session, desk, [response.id])

    assert again.cases == [] and again.joined == 0
    assert session.scalar(select(Case.id).where(Case.customer_id == response.customer_id))


def test_a_text_is_judged_once_understood_not_before(session: Session) -> None:
    make_case_rule(session, DETRACTOR)
    response = detractor_response(session, 2, text="Late again")  # not enriched yet
    desk = directory(session)
    assert evaluate(session, desk, [response.id]).cases == []

    make_enrichment(session, response, sentiment="negative")
    assert len(evaluate(session, desk, [response.id]).cases) == 1


def test_outbound_interactions_and_inactive_rules_open_nothing(session: Session) -> None:
    make_case_rule(session, [{"field": "channel", "op": "eq", "value": "email"}], active=False)
    make_case_rule(session, [{"field": "text", "op": "contains", "value": "refund"}])
    ours = make_interaction(session, text="About your refund", direction="out")
    assert evaluate(session, directory(session), [ours.id]).cases == []


def test_trait_conditions_open_cases_for_valuable_customers_only(session: Session) -> None:
    make_case_rule(
        session,
        [
            {"field": "trait.plan", "op": "in", "value": ["gold", "platinum"]},
            {"field": "sentiment", "op": "eq", "value": "negative"},
        ],
    )
    gold = make_customer(session, traits={"plan": "gold"})
    basic = make_customer(session, traits={"plan": "basic"})
    unhappy = {"sentiment": "negative"}
    ids = [
        make_interaction(session, customer=c, text="meh", enrichment=dict(unhappy)).id
        for c in (gold, basic)
    ]
    [case] = evaluate(session, directory(session), ids).cases
    assert case.customer_id == gold.id
    kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id))
    assert "opened" in list(kinds)


def test_a_topic_condition_holds_for_its_subtopics(session: Session) -> None:
    make_case_rule(session, [{"field": "topic", "op": "eq", "value": "Billing"}])
    charge = {"name": "Unexpected charge", "path": "Billing > Unexpected charge"}
    interaction = make_interaction(session, text="Charged twice", enrichment={"topics": [charge]})
    assert len(evaluate(session, directory(session), [interaction.id]).cases) == 1
