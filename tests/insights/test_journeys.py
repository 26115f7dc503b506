"""The journey funnel against a hand-traced set of customers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.insights import journey_funnel
from cxloop.insights.stats import wilson
from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY
from tests.interactions.factories import make_interaction

STAGES = ["awareness", "consideration", "purchase"]
WINDOW = {"start": MONDAY - timedelta(days=1), "end": MONDAY + timedelta(days=7)}


def journeys(session: Session, paths: dict[str, list[tuple[str, int]]]) -> None:
    """Each customer's (stage, hours after MONDAY) interactions."""
    for name, path in paths.items():
        customer = make_customer(session, email=f"{name}@example.com")
        for stage, hours in path:
            make_interaction(
                session,
                customer_id=customer.id,
                stage=stage,
                occurred_at=MONDAY + timedelta(hours=hours),
            )


def test_funnel_counts_only_customers_who_went_in_order(session: Session) -> None:
    journeys(
        session,
        {
            "all": [("awareness", 0), ("consideration", 2), ("purchase", 5), ("awareness", 9)],
            "two": [("awareness", 0), ("consideration", 4)],
            "one": [("awareness", 0)],
            "skipped": [("consideration", 1), ("purchase", 2)],  # never aware: not in the funnel
            "backwards": [("purchase", 0), ("awareness", 1), ("consideration", 2)],
            "outside": [("awareness", -48)],  # before the window
        },
    )
    steps = journey_funnel(session, stages=STAGES, **WINDOW).steps

    assert [(s.stage, s.customers) for s in steps] == [
        ("awareness", 4),
        ("consideration", 3),
        ("purchase", 1),  # 'backwards' bought before considering
    ]
    assert steps[0].conversion is None
    expected = wilson(3, 4)
    assert steps[1].conversion == pytest.approx(75.0)
    assert steps[1].low == pytest.approx(100 * (expected.low or 0))
    assert steps[1].mean_hours == pytest.approx((2 + 4 + 1) / 3)
    assert steps[2].conversion == pytest.approx(100 / 3)
    assert steps[2].mean_hours == pytest.approx(3.0)


def test_an_empty_window_gives_zeros_not_errors(session: Session) -> None:
    steps = journey_funnel(session, stages=STAGES, **WINDOW).steps
    assert [s.customers for s in steps] == [0, 0, 0]
    assert steps[1].conversion is None and steps[1].mean_hours is None


def test_all_stages_in_their_order_by_default(session: Session) -> None:
    steps = journey_funnel(session, stages=[], **WINDOW).steps
    assert [s.stage for s in steps][:3] == STAGES


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        (["awareness"], "2 to 12 different stages"),
        (["awareness", "awareness"], "2 to 12 different stages"),
        (["awareness", "nirvana"], "unknown journey stage 'nirvana'"),
    ],
)
def test_bad_stages_name_the_problem(session: Session, stages: list[str], message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        journey_funnel(session, stages=stages, **WINDOW)


def test_times_with_microseconds_count_in_whole_seconds(session: Session) -> None:
    customer = make_customer(session, email="precise@example.com")
    for stage, offset in [
        ("awareness", timedelta(microseconds=400_000)),
        ("consideration", timedelta(hours=2, microseconds=900_000)),
    ]:
        make_interaction(session, customer_id=customer.id, stage=stage, occurred_at=MONDAY + offset)
    steps = journey_funnel(session, stages=STAGES[:2], **WINDOW).steps
    assert steps[1].mean_hours == pytest.approx(2.0)
