"""Key drivers: relative weights checked against hand-computed and brute-force Shapley
values, and the whole analysis on answers whose drivers are known, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import math
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.insights import drivers_of
from cxloop.insights.drivers import adjusted_effects, points, relative_weights
from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY, Answer, answer, make_scores_survey
from tests.insights.journey_factories import make_call

WINDOW = {"start": MONDAY - timedelta(days=1), "end": MONDAY + timedelta(days=40)}


def r_squared(x: np.ndarray, y: np.ndarray) -> float:
    if x.shape[1] == 0:
        return 0.0
    fitted = (
        np.column_stack([np.ones(len(y)), x])
        @ np.linalg.lstsq(np.column_stack([np.ones(len(y)), x]), y, rcond=None)[0]
    )
    return float(1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())


def shapley(x: np.ndarray, y: np.ndarray) -> list[float]:
    """Each column's average gain in R² over every order of adding the columns."""
    p = x.shape[1]
    values = []
    for j in range(p):
        others = [k for k in range(p) if k != j]
        total = 0.0
        for size in range(p):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
                total += weight * (
                    r_squared(x[:, [*subset, j]], y) - r_squared(x[:, list(subset)], y)
                )
        values.append(total)
    return values


def test_uncorrelated_drivers_weigh_their_squared_correlations() -> None:
    x1 = np.array([1, 1, 0, 0] * 5, dtype=float)
    x2 = np.array([1, 0, 1, 0] * 5, dtype=float)
    y = 10 * x1 + 20 * x2  # variance 25 from x1, 100 from x2: R² = 1
    weights = relative_weights(np.column_stack([x1, x2]), y)
    assert weights == pytest.approx([0.2, 0.8])
    assert adjusted_effects(np.column_stack([x1, x2]), y) == pytest.approx([10, 20])


def test_twin_drivers_share_their_weight_equally() -> None:
    x1 = np.array([1, 1, 0, 0] * 5, dtype=float)
    x2 = np.array([1, 0, 1, 0] * 5, dtype=float)
    y = 10 * x1 + 20 * x2
    weights = relative_weights(np.column_stack([x1, x1, x2]), y)
    assert weights == pytest.approx([0.1, 0.1, 0.8])


def test_weights_sum_to_r_squared_and_follow_shapley_under_collinearity() -> None:
    rng = np.random.default_rng(3)
    base = rng.random(400) < 0.4
    x = np.column_stack(
        [
            base,
            base ^ (rng.random(400) < 0.2),  # mostly the same as the first
            rng.random(400) < 0.5,
        ]
    ).astype(float)
    y = -30 * x[:, 0] - 10 * x[:, 1] + 15 * x[:, 2] + rng.normal(0, 20, 400)
    weights = relative_weights(x, y)
    assert weights.sum() == pytest.approx(r_squared(x, y))
    assert weights == pytest.approx(shapley(x, y), abs=0.01)


def test_a_column_that_never_varies_weighs_nothing() -> None:
    x = np.column_stack([np.ones(6), [1, 0, 1, 0, 1, 0]])
    assert relative_weights(x, np.array([1.0, 0, 1, 0, 1, 0])) == pytest.approx([0.0, 1.0])


@pytest.mark.parametrize(
    ("metric", "score", "expected"),
    [("nps", 10, 100), ("nps", 8, 0), ("nps", 6, -100), ("csat", 4, 100), ("csat", 3, 0)],
)
def test_scores_in_points(metric: str, score: int, expected: float) -> None:
    assert points(metric, {metric: score}) == expected  # type: ignore[arg-type]


def callers_and_others(session: Session) -> None:
    """Ten customers called three days before answering 2; ten did not and answered 10.
    Plans alternate, whatever the score; first names are personal, never drivers."""
    survey = make_scores_survey(session)
    at = MONDAY + timedelta(days=10)
    for i in range(20):
        customer = make_customer(
            session,
            traits={"plan": "Fibre" if i % 2 else "Mobile", "first_name": "Ann" if i % 3 else "Bo"},
        )
        if i < 10:
            make_call(session, customer.id, at - timedelta(days=3))
        given = Answer(at=at + timedelta(minutes=i), nps=2 if i < 10 else 10)
        given.customer_id = customer.id
        answer(session, survey, given)


def test_the_call_drives_nps_and_the_plan_does_not(session: Session) -> None:
    callers_and_others(session)
    found = drivers_of(session, metric="nps", min_n=5, **WINDOW)
    assert found.n == 20 and not found.suppressed
    assert found.r_squared is not None and found.r_squared.value == pytest.approx(1.0)
    by_name = {d.name: d for d in found.drivers}
    assert set(by_name) == {"touchpoint: call", "contacted on: phone", "plan: Mobile"}
    assert found.reference == {"plan": "Fibre"}
    call = by_name["touchpoint: call"]
    assert (call.answers_with, call.mean_with, call.mean_without) == (10, -100.0, 100.0)
    # The call and the phone contact always come together: they split the credit.
    assert call.importance.value == pytest.approx(50.0)
    assert by_name["contacted on: phone"].importance.value == pytest.approx(50.0)
    assert call.effect.value + by_name["contacted on: phone"].effect.value == pytest.approx(-200)
    plan = by_name["plan: Mobile"]
    assert plan.importance.value == pytest.approx(0.0, abs=1e-9)
    assert plan.effect.value == pytest.approx(0.0, abs=1e-6)
    assert plan.importance.low <= plan.importance.value <= plan.importance.high
    assert found.drivers[-1].name == "plan: Mobile"  # the least important last


def test_drivers_seen_too_rarely_are_left_out(session: Session) -> None:
    callers_and_others(session)
    found = drivers_of(session, metric="nps", min_n=11, **WINDOW)
    assert found.suppressed and found.drivers == [] and found.too_few == 3


def test_too_few_answers_are_suppressed(session: Session) -> None:
    found = drivers_of(session, metric="csat", min_n=10, **WINDOW)
    assert found.n == 0 and found.suppressed and found.r_squared is None


def test_only_nps_and_csat_have_drivers(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="'nps' or 'csat'"):
        drivers_of(session, metric="ces", min_n=10, **WINDOW)  # type: ignore[arg-type]
