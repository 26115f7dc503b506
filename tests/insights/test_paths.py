"""Journey paths, time between stages, failed self-service and precursors, against
hand-traced customers, on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cxloop.insights import (
    journey_paths,
    journey_precursors,
    journey_stage_times,
    journey_switching,
)
from cxloop.insights.stats import Z, wilson
from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY, Answer, answer, make_scores_survey
from tests.insights.journey_factories import customer_with, make_call
from tests.interactions.factories import make_interaction

WINDOW = {"start": MONDAY - timedelta(days=1), "end": MONDAY + timedelta(days=40)}


def test_the_commonest_paths_between_stages_and_channels(session: Session) -> None:
    customer_with(
        session, [("web", "awareness", 0), ("web", "consideration", 1), ("phone", "purchase", 2)]
    )
    customer_with(
        session, [("web", "awareness", 0), ("web", "awareness", 1), ("app", "consideration", 3)]
    )
    customer_with(
        session, [("web", "awareness", 0), ("chat", "consideration", 5), ("phone", "purchase", 6)]
    )
    customer_with(session, [("email", "usage", 0)], direction="out")  # did nothing themselves

    stages = journey_paths(session, by="stage", min_n=1, **WINDOW)
    assert stages.customers == 3
    assert [(p.steps, p.customers.count) for p in stages.paths] == [
        (["awareness", "consideration", "purchase"], 2),
        (["awareness", "consideration"], 1),  # the repeat of awareness counts once
    ]
    top = stages.paths[0].customers
    assert top.value == pytest.approx(200 / 3)
    assert top.low == pytest.approx(100 * (wilson(2, 3).low or 0))

    channels = journey_paths(session, by="channel", min_n=1, **WINDOW)
    assert sorted(p.steps for p in channels.paths) == [
        ["web", "app"],
        ["web", "chat", "phone"],
        ["web", "phone"],
    ]


def test_a_long_path_keeps_its_first_four_steps(session: Session) -> None:
    stages = ["awareness", "consideration", "purchase", "delivery", "onboarding"]
    customer_with(session, [("web", s, i) for i, s in enumerate(stages)])
    (path,) = journey_paths(session, by="stage", min_n=1, **WINDOW).paths
    assert path.steps == [*stages[:4], "…"]


def test_shares_of_too_few_customers_are_suppressed(session: Session) -> None:
    customer_with(session, [("web", "awareness", 0)])
    (path,) = journey_paths(session, by="stage", min_n=10, **WINDOW).paths
    assert path.customers.count == 1 and path.customers.value is None
    assert path.customers.suppressed


def test_time_between_stages_is_a_median_with_its_interval(session: Session) -> None:
    customer_with(
        session, [("web", "awareness", 0), ("web", "consideration", 1), ("web", "purchase", 2)]
    )
    customer_with(session, [("web", "awareness", 0), ("web", "consideration", 3)])
    customer_with(
        session, [("web", "awareness", 0), ("web", "consideration", 5), ("web", "purchase", 6)]
    )
    customer_with(session, [("web", "consideration", 0), ("web", "awareness", 2)])  # backwards
    a_to_c, c_to_p = journey_stage_times(
        session, stages=["awareness", "consideration", "purchase"], min_n=1, **WINDOW
    )
    assert (a_to_c.from_stage, a_to_c.to_stage) == ("awareness", "consideration")
    assert a_to_c.time.n == 3 and a_to_c.time.median_hours == pytest.approx(3.0)
    assert a_to_c.time.low is None  # below six values no interval reaches 95%
    assert c_to_p.time.n == 2 and c_to_p.time.median_hours == pytest.approx(1.0)


def test_seven_gaps_have_the_extreme_values_as_their_interval(session: Session) -> None:
    for hours in range(1, 8):
        customer_with(session, [("web", "awareness", 0), ("web", "consideration", hours)])
    (gap,) = journey_stage_times(session, stages=["awareness", "consideration"], min_n=1, **WINDOW)
    # Binomial(7, 1/2): P(B <= 0) < 2.5% <= P(B <= 1), so ranks 1 and 7 hold the median.
    assert (gap.time.median_hours, gap.time.low, gap.time.high) == (4.0, 1.0, 7.0)
    assert journey_stage_times(session, stages=["awareness", "consideration"], min_n=10, **WINDOW)[
        0
    ].time.suppressed


def test_failed_self_service_by_channel(session: Session) -> None:
    switcher = make_customer(session)
    for channel, hours, assisted in [
        ("web", 0, False),
        ("phone", 10, True),  # 10 h after the web visit: failed
        ("web", 100, False),
        ("chat", 200, True),  # 100 h later: not within 48 h
        ("app", 300, False),
        ("chat", 301, True),  # 1 h after the app: failed
    ]:
        make_interaction(
            session,
            customer_id=switcher.id,
            channel=channel,
            assisted=assisted,
            occurred_at=MONDAY + timedelta(hours=hours),
        )
    customer_with(session, [("web", "usage", 0)])  # tried and never called
    found = journey_switching(session, min_n=1, **WINDOW)
    assert (found.total.count, found.total.n) == (2, 4)
    assert found.total.value == pytest.approx(50.0)
    assert found.time.median_hours == pytest.approx(1.0)  # the lower middle of 1 h and 10 h
    rows = {(r.self_service, r.help_channel): (r.visits.count, r.visits.n) for r in found.rows}
    assert rows == {("web", "phone"): (1, 3), ("app", "chat"): (1, 1)}


def test_touchpoints_before_detractors_with_their_lift(session: Session) -> None:
    survey = make_scores_survey(session)
    at = MONDAY + timedelta(days=10)
    for i, nps in enumerate([2, 3, 9, 5, 10, 9]):
        customer = make_customer(session)
        if i < 3:  # a call five days before the answer
            make_call(session, customer.id, at - timedelta(days=5))
        if i == 3:  # a call too long before to count
            make_call(session, customer.id, at - timedelta(days=40))
        answer(
            session, survey, Answer(at=at + timedelta(minutes=i), nps=nps, customer_id=customer.id)
        )

    found = journey_precursors(session, outcome="detractor", min_n=2, **WINDOW)
    assert (found.overall.count, found.overall.n) == (3, 6)
    call = next(p for p in found.precursors if p.name == "touchpoint: call")
    assert (call.exposed.count, call.exposed.n) == (2, 3)
    assert (call.unexposed.count, call.unexposed.n) == (1, 3)
    assert call.lift == pytest.approx(2.0)
    half = Z * math.sqrt(1 / 2 - 1 / 3 + 1 / 1 - 1 / 3)
    assert call.low == pytest.approx(2 * math.exp(-half))
    assert call.high == pytest.approx(2 * math.exp(half))
    assert {p.name for p in found.precursors} == {"touchpoint: call", "contacted on: phone"}


def test_touchpoints_before_customers_start_to_leave(session: Session) -> None:
    for _ in range(2):  # called, then asked to cancel four days later
        customer_with(
            session, [("phone", "support", 0), ("phone", "termination", 100)], type="call"
        )
    customer_with(session, [("phone", "support", 0), ("web", "usage", 50)], type="call")
    customer_with(session, [("web", "usage", 50)], type="page_viewed")

    found = journey_precursors(session, outcome="termination", min_n=1, **WINDOW)
    assert (found.overall.count, found.overall.n) == (2, 4)
    call = next(p for p in found.precursors if p.name == "contacted on: phone")
    assert (call.exposed.count, call.exposed.n, call.unexposed.count) == (2, 3, 0)
    # An empty cell: half added to each, (2.5 / 4) / (0.5 / 2).
    assert call.lift == pytest.approx(2.5)
    assert all("termination" not in p.name for p in found.precursors)


def test_an_empty_window_has_no_figures_and_no_errors(session: Session) -> None:
    assert journey_paths(session, by="channel", min_n=10, **WINDOW).paths == []
    found = journey_switching(session, min_n=10, **WINDOW)
    assert found.total.n == 0 and found.total.value is None and found.rows == []
    precursors = journey_precursors(session, outcome="detractor", min_n=10, **WINDOW)
    assert precursors.overall.n == 0 and precursors.precursors == []
