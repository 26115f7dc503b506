"""Every built-in metric against hand-computed values, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scipy import stats as scipy_stats
from sqlalchemy.orm import Session

from cxloop.errors import NotFound, ValidationFailed
from cxloop.insights import MetricResult, measure, metric_named, parse_query
from cxloop.insights.stats import wilson
from tests.customers.factories import make_customer
from tests.insights.factories import (
    MONDAY,
    Answer,
    answer_all,
    invitations,
    make_scores_survey,
    nps_answers,
)
from tests.interactions.factories import make_interaction

WEEK1, WEEK2 = MONDAY, MONDAY + timedelta(days=7)
WINDOW = {"start": WEEK2, "end": WEEK2 + timedelta(days=7)}
MIN_N = 10


def run(session: Session, name: str, **options: object) -> MetricResult:
    query = parse_query(metric_named(name), **{**WINDOW, **options})  # type: ignore[arg-type]
    return measure(session, query, min_n=MIN_N)


@pytest.fixture
def nps_survey(session: Session) -> None:
    survey = make_scores_survey(session)
    answer_all(
        session,
        survey,
        # This week: web 5 promoters, 3 detractors of 10 (NPS 20); store 7 and 2 of 12.
        nps_answers([10, 10, 9, 8, 7, 3, 0, 10, 9, 5], channel="web", at=WEEK2, stage="support")
        + nps_answers([9, 9, 9, 9, 6, 6, 8, 7, 7, 10, 10, 10], channel="store", at=WEEK2)
        # Last week: web 2 promoters, 5 detractors of 10 (NPS -30); store only 3 answers.
        + nps_answers([0, 0, 0, 1, 2, 9, 9, 8, 8, 8], channel="web", at=WEEK1)
        + nps_answers([10, 10, 10], channel="store", at=WEEK1)
        # Outside both windows: never counted.
        + nps_answers([0, 0, 0], channel="web", at=WEEK1 - timedelta(days=30)),
    )


@pytest.mark.usefixtures("nps_survey")
def test_nps_overall_and_by_channel_with_the_previous_week(session: Session) -> None:
    result = run(session, "nps", by=["channel"])

    assert result.total.current.n == 22
    assert result.total.current.value == pytest.approx(100 * (12 - 5) / 22)
    assert result.total.change.previous.n == 13
    assert result.total.change.previous.value == pytest.approx(0.0)

    groups = {g.key["channel"]: g for g in result.groups}
    assert set(groups) == {"store", "web"}
    web, store = groups["web"], groups["store"]
    assert (web.current.n, web.current.value) == (10, pytest.approx(20.0))
    half = 1.959964 * ((0.5 + 0.3 - 0.2**2) / 10) ** 0.5 * 100
    assert web.current.low == pytest.approx(20 - half, abs=1e-4)
    assert web.current.high == pytest.approx(20 + half, abs=1e-4)
    assert web.change.previous.value == pytest.approx(-30.0)
    assert web.change.difference == pytest.approx(50.0)
    assert web.change.p_value is not None and 0 < web.change.p_value < 1
    assert store.current.value == pytest.approx(100 * 5 / 12)
    # Three answers last week: below the minimum n, so hidden and not compared.
    assert store.change.previous.n == 3 and store.change.previous.suppressed
    assert store.change.previous.value is None and store.change.difference is None


@pytest.mark.usefixtures("nps_survey")
def test_by_week_compares_each_week_with_the_one_before(session: Session) -> None:
    result = run(session, "nps", by=["channel", "week"], start=WEEK2 + timedelta(days=2))
    assert result.start == WEEK2.replace(hour=0)  # widened to whole weeks from Monday
    keys = [g.key for g in result.groups]
    assert keys == [
        {"channel": "store", "week": "2026-03-09"},
        {"channel": "web", "week": "2026-03-09"},
    ]
    web = result.groups[1]
    assert web.change.previous.value == pytest.approx(-30.0)


@pytest.mark.usefixtures("nps_survey")
def test_filters_keep_only_the_chosen_values(session: Session) -> None:
    store = run(session, "nps", filters=["channel:store"])
    assert store.total.current.n == 12 and store.groups == []
    both = run(session, "nps", filters=["channel:store|web", "stage:support"])
    assert both.total.current.n == 10
    assert both.filters == {"channel": ["store", "web"], "stage": ["support"]}


@pytest.mark.usefixtures("nps_survey")
def test_a_filter_matching_nothing_and_an_empty_period_give_n_zero(session: Session) -> None:
    nothing = run(session, "nps", filters=["channel:carrier-pigeon"])
    assert nothing.total.current.n == 0 and nothing.total.current.value is None
    assert not nothing.total.current.suppressed and nothing.groups == []
    empty = run(session, "nps", start=WEEK2 + timedelta(days=300), end=WEEK2 + timedelta(days=301))
    assert (empty.total.current.n, empty.total.change.previous.n) == (0, 0)


def test_csat_ces_and_cx_index(session: Session) -> None:
    survey = make_scores_survey(session)
    csat = [5, 4, 4, 3, 2, 5, 1, 4, 5, 5]
    ces = [7, 6, 5, 4, 7, 3, 7, 6, 5, 6]
    cx = [(5, 4, 3), (4, 4, 4), (2, 3, 4), (5, 5, 5), (1, 2, 3)] * 2
    answer_all(
        session,
        survey,
        [
            Answer(at=WEEK2 + timedelta(hours=i), csat=s, ces=e, cx=x)
            for i, (s, e, x) in enumerate(zip(csat, ces, cx, strict=True))
        ],
    )

    satisfied = run(session, "csat").total.current
    expected = wilson(7, 10)
    assert (satisfied.n, satisfied.value) == (10, pytest.approx(70.0))
    assert satisfied.low == pytest.approx(100 * (expected.low or 0))

    effort = run(session, "ces").total.current
    low, high = scipy_stats.t.interval(0.95, 9, loc=5.6, scale=scipy_stats.sem(ces))
    assert effort.value == pytest.approx(5.6)
    assert (effort.low, effort.high) == (pytest.approx(low), pytest.approx(high))
    assert run(session, "ces_agree").total.current.value == pytest.approx(80.0)

    index = run(session, "cx_index").total.current
    assert index.value == pytest.approx(sum(sum(x) for x in cx) / 30)


def test_response_rate_by_channel(session: Session) -> None:
    survey = make_scores_survey(session)
    invitations(session, survey, channel="email", sent=20, responded=7, at=WEEK2)
    invitations(session, survey, channel="sms", sent=10, responded=6, at=WEEK2)
    result = run(session, "response_rate", by=["channel"])
    assert result.total.current.value == pytest.approx(100 * 13 / 30)
    rates = {g.key["channel"]: g.current.value for g in result.groups}
    assert rates == {"email": pytest.approx(35.0), "sms": pytest.approx(60.0)}


def test_volume_by_channel_is_an_exact_count_never_suppressed(session: Session) -> None:
    customer = make_customer(session, email="vol@example.com")
    for i, channel in enumerate(["web"] * 3 + ["phone"] * 2):
        make_interaction(
            session,
            customer_id=customer.id,
            channel=channel,
            occurred_at=WEEK2 + timedelta(hours=i),
        )
    make_interaction(session, customer_id=customer.id, channel="web", occurred_at=WEEK1)
    result = run(session, "volume", by=["channel"])
    counts = {g.key["channel"]: (g.current.value, g.change.previous.n) for g in result.groups}
    assert counts == {"phone": (2.0, 0), "web": (3.0, 1)}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by": ["colour"]}, "cannot be grouped by 'colour'"),
        ({"by": ["week", "month"]}, "at most one of day, week, month"),
        ({"by": ["channel", "channel"]}, "names 'channel' twice"),
        ({"filters": ["channel"]}, "should read dimension:value"),
        ({"filters": ["mood:happy"]}, "cannot be filtered by 'mood'"),
        ({"start": WEEK2, "end": WEEK1}, "'from' must be before 'to'"),
        ({"start": WEEK2.replace(tzinfo=None)}, "needs a time zone"),
    ],
)
def test_bad_queries_name_their_problem(options: dict[str, object], message: str) -> None:
    query = {**WINDOW, **options}
    with pytest.raises(ValidationFailed, match=message):
        parse_query(metric_named("nps"), **query)  # type: ignore[arg-type]


def test_an_unknown_metric_lists_the_catalogue() -> None:
    with pytest.raises(NotFound, match=r"no metric named 'nsp'; the catalogue has .*nps"):
        metric_named("nsp")
