"""Closing-the-loop metrics against hand-computed values, on SQLite and PostgreSQL.

Every case below lives on the default calendar (weekdays 09:00-17:00 UTC) and is worked
through the cases services, so the business minutes are what the lifecycle records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import ibis
import pytest
from scipy import stats as scipy_stats
from sqlalchemy.orm import Session

from cxloop.cases import Case
from cxloop.insights import AsOf, Median, MetricResult, measure, metric_named, parse_query
from cxloop.insights.stats import wilson
from tests.insights.case_factories import (
    answer,
    churn_threat,
    make_desk,
    move,
    nps_answer,
    open_case,
)

MON = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MON + timedelta(days=day, hours=hour, minutes=minute)


AS_OF = AsOf(now=at(2, 12))  # Wednesday noon, after everything below
WINDOW = {"start": at(-21, 0), "end": at(7, 0)}


def run(session: Session, name: str, by: list[str] | None = None) -> MetricResult:
    query = parse_query(metric_named(name), by=by or [], **WINDOW)
    return measure(session, query, min_n=1, as_of=AS_OF)


def groups(result: MetricResult, dimension: str) -> dict[str | None, tuple[int, float | None]]:
    return {g.key[dimension]: (g.current.n, g.current.value) for g in result.groups}


@dataclass
class Worked:
    a: Case
    b: Case
    c: Case


@pytest.fixture
def worked(session: Session) -> Worked:
    """Billing answers within 60 and solves within 480 business minutes; the shop has no SLA.

    A  Mon 10:00, caused by a detractor; answered 10:30, solved 12:00, reopened Tue 10:00,
       solved Tue 11:00: 30 min to answer, 180 on the resolution clock (360 stood still).
    B  Mon 16:30, caused by a churn threat; answered Tue 09:45 (75 min: late, due 09:30),
       solved Wed 10:00 (570 min: late, due Tue 16:30).
    C  Mon 11:00; answered 11:10 and left waiting on the customer until Tue 11:00 (470 min
       paused), solved Tue 12:00: 10 and 70 minutes, both in time.
    D  Mon 10:00, never answered: both deadlines passed by Wednesday noon.
    E  Mon 14:00 at the shop, answered 14:20: no deadline, so in no SLA figure.
    F  Wed 11:30, unanswered at noon: its deadlines are still ahead.
    """
    billing = make_desk(session, "billing")
    shop = make_desk(session, "shop", first_response_minutes=None)

    a = open_case(session, billing, at(0, 10), cause=nps_answer(session, at(0, 9, 30), 3))
    answer(session, billing, a, at(0, 10, 30))
    move(session, a, "solved", at(0, 12))
    move(session, a, "reopened", at(1, 10))
    move(session, a, "solved", at(1, 11))

    b = open_case(
        session, billing, at(0, 16, 30), cause=churn_threat(session, at(0, 16)), channel="chat"
    )
    answer(session, billing, b, at(1, 9, 45))
    move(session, b, "solved", at(2, 10))

    c = open_case(session, billing, at(0, 11), priority="high")
    answer(session, billing, c, at(0, 11, 10), then="waiting")
    move(session, c, "open", at(1, 11))
    move(session, c, "solved", at(1, 12))

    open_case(session, billing, at(0, 10))
    answer(session, shop, open_case(session, shop, at(0, 14)), at(0, 14, 20))
    open_case(session, billing, at(2, 11, 30))

    nps_answer(session, at(0, 9), 5, demo_style=True)  # no case; 48 business hours not yet up
    nps_answer(session, at(-14, 10), 2)  # no case, two weeks ago: never answered
    nps_answer(session, at(0, 9), 9)  # a promoter: nothing to close
    return Worked(a=a, b=b, c=c)


def test_the_lifecycle_keeps_business_minutes_when_each_clock_stops(worked: Worked) -> None:
    assert (worked.a.first_response_business_minutes, worked.a.resolution_business_minutes) == (
        30,
        180,
    )
    assert (worked.b.first_response_business_minutes, worked.b.resolution_business_minutes) == (
        75,
        570,
    )
    assert (worked.c.first_response_business_minutes, worked.c.resolution_business_minutes) == (
        10,
        70,
    )


def test_a_reopened_case_is_unresolved_until_solved_again(session: Session) -> None:
    desk = make_desk(session, "returns")
    case = open_case(session, desk, at(0, 10))
    move(session, case, "solved", at(0, 11))
    move(session, case, "reopened", at(0, 12))

    assert case.resolution_business_minutes is None
    move(session, case, "solved", at(0, 13))
    assert case.resolution_business_minutes == 120  # 10-11 and 12-13; 11-12 stood still


@pytest.mark.usefixtures("worked")
def test_time_to_first_response_median_and_mean(session: Session) -> None:
    median = run(session, "first_response_time", by=["department"])
    assert (median.total.current.n, median.total.current.value) == (4, 20)  # 10 20 30 75
    assert median.total.current.low is None  # four values cannot bound a median at 95%
    assert groups(median, "department") == {"billing": (3, 30), "shop": (1, 20)}

    mean = run(session, "first_response_time_mean").total.current
    values = [30, 75, 10, 20]
    low, high = scipy_stats.t.interval(0.95, 3, loc=sum(values) / 4, scale=scipy_stats.sem(values))
    assert (mean.n, mean.value) == (4, pytest.approx(33.75))
    assert (mean.low, mean.high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.usefixtures("worked")
def test_time_to_resolution_is_placed_by_the_day_it_was_solved(session: Session) -> None:
    result = run(session, "resolution_time", by=["day"])
    assert (result.total.current.n, result.total.current.value) == (3, 180)  # 70 180 570
    # The lower of two middle values; 570 is counted at the next step of the grid, 600.
    assert groups(result, "day") == {"2026-03-03": (2, 70), "2026-03-04": (1, 600)}
    mean = run(session, "resolution_time_mean").total.current
    assert mean.value == pytest.approx((180 + 570 + 70) / 3)


@pytest.mark.usefixtures("worked")
def test_sla_attainment_from_timestamps_leaves_out_cases_without_or_before_a_deadline(
    session: Session,
) -> None:
    for name in ("first_response_sla", "resolution_sla"):
        total = run(session, name).total.current  # A and C met; B late; D past both, unanswered
        expected = wilson(2, 4)
        assert expected.low is not None and expected.high is not None
        assert (total.n, total.value) == (4, pytest.approx(50.0)), name
        assert (total.low, total.high) == (
            pytest.approx(100 * expected.low),
            pytest.approx(100 * expected.high),
        )
    by_priority = groups(run(session, "first_response_sla", by=["priority"]), "priority")
    assert by_priority == {"high": (1, 100.0), "normal": (3, pytest.approx(100 / 3))}


@pytest.mark.usefixtures("worked")
def test_reopen_rate_and_case_volume(session: Session) -> None:
    reopen = run(session, "reopen_rate").total.current
    assert (reopen.n, reopen.value) == (3, pytest.approx(100 / 3))  # A of A, B, C
    volume = run(session, "case_volume", by=["department"])
    assert volume.total.current.value == 6
    assert groups(volume, "department") == {"billing": (5, 5), "shop": (1, 1)}
    assert groups(run(session, "case_volume", by=["channel"]), "channel") == {
        "chat": (1, 1),
        "email": (5, 5),
    }


@pytest.mark.usefixtures("worked")
def test_loop_closure_of_detractors_and_churn_threats(session: Session) -> None:
    result = run(session, "loop_closure", by=["signal"])
    # A's detractor answered in time; B's churn threat late; the old detractor never; the
    # recent one without a case is still inside its 48 business hours, so not counted yet.
    assert (result.total.current.n, result.total.current.value) == (3, pytest.approx(100 / 3))
    assert groups(result, "signal") == {"churn_threat": (1, 0.0), "detractor": (2, 50.0)}
    by_department = groups(run(session, "loop_closure", by=["department"]), "department")
    assert by_department == {None: (1, 0.0), "billing": (2, 50.0)}


def test_an_unanswered_signal_counts_once_its_target_passes(session: Session) -> None:
    nps_answer(session, at(0, 9), 4)
    query = parse_query(metric_named("loop_closure"), **WINDOW)

    def n(now: datetime, hours: float) -> int:
        as_of = AsOf(now=now, loop_target_hours=hours)
        return measure(session, query, min_n=1, as_of=as_of).total.current.n

    assert n(at(0, 16), hours=8) == 0  # 7 business hours so far
    assert n(at(1, 9, 1), hours=8) == 1  # Monday 09:00-17:00 and a minute of Tuesday
    assert n(at(1, 9, 1), hours=48) == 0


def counts(measure_: Median, values: list[int]) -> dict[str, int]:
    table = ibis.memtable({"minutes": values})
    row = table.aggregate(**measure_.aggregates(table)).to_pyarrow().to_pylist()[0]
    return {name: int(value) for name, value in row.items()}


def test_the_median_and_its_interval_come_from_counts_at_each_step() -> None:
    median = Median(column="minutes")
    quick = counts(median, [1, 2, 3, 4, 5, 6, 7, 8, 9, 12])

    estimate = median.estimate(quick)
    # Ranks 2 and 9 of ten bound the median at 97.9%; 12 is counted at the next step, 15.
    assert (estimate.value, estimate.low, estimate.high) == (5, 2, 9)
    slow = counts(median, [40, 45, 50, 55, 60, 70, 80, 90, 100, 110])
    p = median.p_value(quick, slow)  # Mood: all ten quick ones below the pooled median
    assert p is not None and p < 0.001
    assert median.p_value(quick, quick) == pytest.approx(1.0)
