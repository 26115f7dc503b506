"""Timeline features: what a customer went through, in numbers a churn model learns from,
read in bulk and only up to each customer's cut-off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from cxloop.cases import CaseStatus
from cxloop.proactive.timeline import LOOKBACK, eligible_traits, timeline_table
from tests.cases.factories import directory, make_case, make_department
from tests.customers.factories import make_customer
from tests.proactive.factories import BILLING, NOW, company_history, survey, touch

DAY = timedelta(days=1)


def row(session: Session, customer_id: int, at=NOW, traits=()) -> dict[str, object]:
    table = timeline_table(session, {customer_id: at}, traits=list(traits), now=NOW)
    return {name: values[0] for name, values in table.columns.items()}


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    bind = session.connection().engine

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(bind, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", seen)


def test_a_customers_recent_contacts_channels_and_repeat_topics(session: Session) -> None:
    customer = make_customer(session, traits={"plan": "Fibre", "monthly_value": 45.5})
    billing = {"sentiment": "negative", "sentiment_score": -0.7, "topics": BILLING}
    for days in (3, 10, 20):
        touch(session, customer, NOW - days * DAY, enrichment={**billing, "emotion": "anger"})
    touch(
        session,
        customer,
        NOW - 60 * DAY,
        channel="email",
        enrichment={
            "sentiment": "positive",
            "sentiment_score": 0.6,
            "emotion": "joy",
            "topics": [],
        },
    )
    touch(session, customer, NOW - 200 * DAY, channel="store")

    features = row(session, customer.id, traits=["plan", "monthly_value"])

    assert features["days since last contact"] == 3
    assert features["contacts, last 30 days"] == 3
    assert features["contacts, last 90 days"] == 4
    assert features["channels used, 90 days"] == 2
    assert features["phone share, 90 days"] == 0.75
    assert features["most contacts on one topic, 90 days"] == 3
    assert features["negative texts share, 90 days"] == 0.75
    assert features["negative emotions share, 90 days"] == 0.75
    assert features["sentiment trend"] == -1.3  # -0.7 lately against 0.6 before
    assert features["plan"] == "Fibre" and features["monthly_value"] == 45.5


def test_self_service_that_ends_in_a_call_within_two_days_failed(session: Session) -> None:
    customer = make_customer(session)
    touch(session, customer, NOW - 10 * DAY, channel="web")
    touch(session, customer, NOW - 10 * DAY + timedelta(hours=5), channel="phone")
    touch(session, customer, NOW - 40 * DAY, channel="app")
    touch(session, customer, NOW - 36 * DAY, channel="chat")  # four days later: not failed

    assert row(session, customer.id)["failed self-service, 90 days"] == 1


def test_survey_scores_cases_and_churn_threats(session: Session) -> None:
    customer = make_customer(session)
    survey(session, customer, NOW - 50 * DAY, nps=2, csat=2)
    survey(session, customer, NOW - 5 * DAY, nps=7)
    touch(
        session,
        customer,
        NOW - 4 * DAY,
        channel="email",
        enrichment={"sentiment": "negative", "signals": ["churn_threat"]},
    )
    department = make_department(session)
    breached = make_case(session, department=department, text="still broken", customer=customer)
    breached.resolution_breached, breached.created_at = True, NOW - 20 * DAY
    reopened = make_case(session, department=department, text="again", customer=customer)
    reopened.reopen_count, reopened.created_at = 1, NOW - 30 * DAY
    reopened.status, reopened.solved_at = CaseStatus.solved.value, NOW - 25 * DAY
    session.flush()

    features = row(session, customer.id)

    assert (features["last NPS"], features["lowest NPS"]) == (7, 2)
    assert (features["last CSAT"], features["lowest CSAT"]) == (2, 2)
    assert features["churn threats, 90 days"] == 1
    assert features["open cases"] == 1
    assert features["breached cases, 90 days"] == 1
    assert features["reopened cases, 90 days"] == 1


def test_a_cut_off_sees_only_what_happened_before_it(session: Session) -> None:
    customer = make_customer(session)
    survey(session, customer, NOW - 100 * DAY, nps=9)
    touch(session, customer, NOW - 95 * DAY)
    survey(session, customer, NOW - 10 * DAY, nps=0)
    touch(session, customer, NOW - 5 * DAY)

    earlier = row(session, customer.id, at=NOW - 90 * DAY)

    assert earlier["last NPS"] == 9
    assert earlier["days since last contact"] == 5
    assert earlier["contacts, last 90 days"] == 1


def test_a_silent_customer_has_blanks_not_zeros_where_nothing_was_measured(
    session: Session,
) -> None:
    customer = make_customer(session)

    features = row(session, customer.id)

    assert features["days since last contact"] == LOOKBACK.days
    assert features["contacts, last 90 days"] == 0
    assert features["last NPS"] is None and features["phone share, 90 days"] is None


def test_read_in_a_handful_of_queries_whatever_the_number_of_customers(session: Session) -> None:
    groups = company_history(session, n=40)
    everyone = [c.id for group in groups.values() for c in group]
    directory(session)
    with counting(session) as few:
        timeline_table(session, dict.fromkeys(everyone[:4], NOW), traits=["plan"], now=NOW)
    with counting(session) as many:
        timeline_table(session, dict.fromkeys(everyone, NOW), traits=["plan"], now=NOW)

    assert len(many) == len(few) <= 5


def test_traits_learnt_by_default_are_numbers_flags_and_short_categories_never_personal() -> None:
    rows = [
        {"plan": p, "monthly_value": v, "vip": v > 50, "first_name": f"Ann{v}",
         "email": f"a{v}@example.com", "note": f"free text {v}", "churned": "no",
         "tags": ["a"]}
        for p, v in [("Mobile", 20.0), ("Fibre", 60.5)] * 20
    ]  # fmt: skip
    rows += [{"note": f"another note {i}"} for i in range(30)]

    assert eligible_traits(rows, exclude=["churned"]) == ["monthly_value", "plan", "vip"]
