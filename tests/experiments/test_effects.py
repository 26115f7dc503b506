"""Effects with intervals and tests that keep their promises, CUPED, and the always-valid
sequential test."""

from __future__ import annotations

import numpy as np
import pytest

from cxloop.errors import ValidationFailed
from cxloop.experiments import mean_effect, msprt, proportion_effect


def test_a_mean_effect_is_the_difference_with_an_interval_agreeing_with_the_test() -> None:
    rng = np.random.default_rng(1)
    control, treatment = rng.normal(10, 2, 400), rng.normal(11, 2, 400)
    effect = mean_effect(control, treatment)
    assert effect.difference == pytest.approx(treatment.mean() - control.mean())
    assert effect.low < 1 < effect.high and effect.significant and effect.p_value < 1e-6
    assert effect.method == "Welch t-test" and (effect.n_control, effect.n_treatment) == (400, 400)
    assert effect.relative == pytest.approx(effect.difference / control.mean())


def test_without_an_effect_about_five_percent_of_tests_are_significant() -> None:
    rng = np.random.default_rng(2)
    hits = [
        mean_effect(rng.normal(0, 1, 100), rng.normal(0, 1, 100)).significant for _ in range(400)
    ]
    assert 0.02 <= np.mean(hits) <= 0.08


def test_a_proportion_effect_from_counts() -> None:
    effect = proportion_effect((200, 1000), (260, 1000))
    assert effect.control == 0.2 and effect.treatment == 0.26
    assert effect.difference == pytest.approx(0.06)
    assert effect.low < 0.06 < effect.high and effect.significant
    assert (effect.low > 0) == effect.significant
    assert not proportion_effect((200, 1000), (205, 1000)).significant


def test_cuped_keeps_the_effect_and_narrows_the_interval() -> None:
    rng = np.random.default_rng(3)
    pre = rng.gamma(2, 10, 1000)
    treated = np.arange(1000) % 2 == 1
    outcome = 0.8 * pre + rng.normal(0, 5, 1000) + 2.0 * treated
    plain = mean_effect(outcome[~treated], outcome[treated])
    adjusted = mean_effect(
        outcome[~treated], outcome[treated], pre_control=pre[~treated], pre_treatment=pre[treated]
    )
    assert adjusted.method == "CUPED + Welch t-test"
    assert adjusted.high - adjusted.low < 0.5 * (plain.high - plain.low)
    assert adjusted.low < 2.0 < adjusted.high
    assert adjusted.variance_reduction is not None and adjusted.variance_reduction > 0.7


def test_the_sequential_test_stays_valid_when_read_at_every_look() -> None:
    rng = np.random.default_rng(4)
    fixed_hits = sequential_hits = 0
    for _ in range(200):
        a, b = rng.normal(0, 1, 500), rng.normal(0, 1, 500)
        looks = range(50, 501, 50)
        fixed_hits += any(mean_effect(a[:n], b[:n]).significant for n in looks)
        sequential_hits += any(mean_effect(a[:n], b[:n], tau=0.2).significant for n in looks)
    assert fixed_hits / 200 > 0.1  # what peeking does to a fixed-horizon test
    assert sequential_hits / 200 <= 0.05


def test_the_confidence_sequence_is_wider_than_the_fixed_interval_and_holds_the_estimate() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, 300), rng.normal(0.5, 1, 300)
    fixed, sequential = mean_effect(a, b), mean_effect(a, b, tau=0.3)
    assert sequential.low < fixed.low and sequential.high > fixed.high
    assert sequential.method == "mSPRT (always valid)" and sequential.significant
    bound = msprt(0.0, 0.01, tau=0.3, alpha=0.05)
    assert bound.p_value == 1.0 and bound.low < 0 < bound.high


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mean_effect([], [1.0, 2.0]), "arm 'control' has no customers"),
        (lambda: mean_effect([1.0, 2.0], [3.0], names=("a", "b")), "arm 'b' has 1 customer"),
        (lambda: proportion_effect((0, 0), (3, 10)), "arm 'control' has no customers"),
        (lambda: proportion_effect((5, 10), (12, 10)), "12 successes out of 10"),
        (lambda: mean_effect([1.0, float("nan")], [1.0, 2.0]), "missing or infinite"),
        (lambda: mean_effect([1.0, 2.0], [1.0, 2.0], pre_control=[1.0, 2.0]), "both arms"),
        (
            lambda: mean_effect([1.0, 2.0], [1.0, 2.0], pre_control=[1, 1], pre_treatment=[1, 1]),
            "the same for every customer",
        ),
        (
            lambda: mean_effect(
                [1.0, 2.0], [1.0, 2.0], pre_control=[1, 2, 3], pre_treatment=[1, 2]
            ),
            "2 outcomes but 3 pre-period values",
        ),
    ],
)
def test_bad_arms_are_refused_with_a_clear_message(call: object, message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        call()  # type: ignore[operator]


def test_an_arm_where_everyone_has_the_same_value_is_no_warning() -> None:
    effect = mean_effect([-100.0, -100.0, -100.0], [100.0, -100.0, 0.0, 100.0])
    assert effect.difference == pytest.approx(125.0)
    assert effect.low < effect.difference < effect.high
