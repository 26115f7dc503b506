"""Sample sizes planned up front, and verdicts only when the plan allows one."""

from __future__ import annotations

import numpy as np
import pytest

from cxloop.errors import ValidationFailed
from cxloop.experiments import Plan, analyse, sample_size_mean, sample_size_proportion


def test_sample_sizes_match_the_textbook_formulas() -> None:
    # 2 * (1.96 + 0.84)^2 * 16^2 / 2^2 = 1004.8
    assert sample_size_mean(sd=16, effect=2) == 1005
    assert sample_size_mean(sd=16, effect=2, variance_reduction=0.5) == 503
    # 20% -> 23%: about 2,940 per arm at 80% power
    assert 2900 <= sample_size_proportion(baseline=0.2, effect=0.03) <= 2960
    assert sample_size_proportion(baseline=0.2, effect=0.03, power=0.9) > 3500


@pytest.mark.parametrize(
    "call",
    [
        lambda: sample_size_mean(sd=0, effect=1),
        lambda: sample_size_mean(sd=1, effect=1, variance_reduction=1),
        lambda: sample_size_proportion(baseline=0.99, effect=0.02),
        lambda: sample_size_mean(sd=1, effect=1, power=1.2),
    ],
)
def test_impossible_plans_are_refused(call: object) -> None:
    with pytest.raises(ValidationFailed):
        call()  # type: ignore[operator]


def outcomes(n: int, lift: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(7, 2, n), rng.normal(7 + lift, 2, n)


def test_a_fixed_horizon_experiment_gets_no_verdict_before_its_sample() -> None:
    plan = Plan(metric="CSAT", analysis="fixed", minimum_effect=0.5, per_arm=300)
    control, treatment = outcomes(100, 1.0)
    early = analyse(plan, control, treatment)
    assert not early.finished
    assert early.text.startswith("Not finished: 100 of 300 customers in the smaller arm")
    assert early.effect.significant  # what someone peeking would have been tempted by


def test_a_finished_experiment_says_what_changed_in_plain_words() -> None:
    plan = Plan(metric="CSAT", analysis="fixed", minimum_effect=0.5, per_arm=300)
    verdict = analyse(plan, *outcomes(300, 1.0), names=("control", "callback"))
    assert verdict.finished and verdict.text.startswith("callback raises CSAT by ")
    assert "95% CI" in verdict.text
    null = analyse(plan, *outcomes(300, 0.0, seed=3))
    assert null.text.startswith("No detectable effect of treatment on CSAT")
    assert "sized to detect 0.5" in null.text


def test_a_sequential_experiment_may_stop_as_soon_as_it_is_conclusive() -> None:
    plan = Plan(metric="CSAT", analysis="sequential", minimum_effect=0.5, per_arm=5000)
    verdict = analyse(plan, *outcomes(400, 1.5))
    assert verdict.finished and verdict.effect.method == "mSPRT (always valid)"
    assert not analyse(plan, *outcomes(400, 0.0, seed=4)).finished


def test_a_plan_states_its_analysis() -> None:
    with pytest.raises(ValidationFailed, match="'fixed' or 'sequential'"):
        Plan(metric="NPS", analysis="whenever", minimum_effect=1, per_arm=10)  # type: ignore[arg-type]
