"""Intervals and tests against textbook values, and interval coverage by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from cxloop.insights.stats import (
    Moments,
    net_score,
    net_score_p,
    poisson_p,
    t_interval,
    two_proportion_p,
    welch_p,
    wilson,
)


def test_wilson_matches_the_textbook_interval_for_8_of_10() -> None:
    # Newcombe (1998), table I: 8/10 -> 0.4902 to 0.9433.
    e = wilson(8, 10)
    assert e.value == pytest.approx(0.8)
    assert (round(e.low or 0, 4), round(e.high or 0, 4)) == (0.4902, 0.9433)


def test_wilson_stays_inside_zero_and_one_at_the_extremes() -> None:
    none, every = wilson(0, 20), wilson(20, 20)
    assert none.low == 0.0 and none.high == pytest.approx(0.1611, abs=1e-4)
    assert every.high == 1.0 and every.low == pytest.approx(0.8389, abs=1e-4)


def test_t_interval_of_one_to_seven_by_hand() -> None:
    data = [1, 2, 3, 4, 5, 6, 7]  # mean 4, s = sqrt(28 / 6), t(0.975, 6) = 2.446912
    e = t_interval(Moments(n=7, total=sum(data), total_sq=sum(x * x for x in data)))
    half = 2.446912 * (28 / 6) ** 0.5 / 7**0.5
    assert e.value == 4
    assert e.low == pytest.approx(4 - half, abs=1e-5)
    assert e.high == pytest.approx(4 + half, abs=1e-5)


def test_one_observation_has_a_value_but_no_interval() -> None:
    e = t_interval(Moments(n=1, total=5, total_sq=25))
    assert (e.value, e.low, e.high) == (5, None, None)


def test_net_score_interval_uses_the_variance_of_the_difference() -> None:
    # 5 promoters, 3 passives, 2 detractors: NPS 0.3; Var = (0.5 + 0.2 - 0.3^2) / 10 = 0.061.
    e = net_score(promoters=5, detractors=2, n=10)
    half = 1.959964 * 0.061**0.5
    assert e.value == pytest.approx(0.3)
    assert e.low == pytest.approx(0.3 - half, abs=1e-6)
    assert e.high == pytest.approx(0.3 + half, abs=1e-6)


def test_empty_samples_give_no_value_and_no_division_by_zero() -> None:
    assert wilson(0, 0).value is None
    assert net_score(0, 0, 0).value is None
    assert t_interval(Moments(n=0, total=0, total_sq=0)).value is None
    assert two_proportion_p(0, 0, 3, 10) is None
    assert net_score_p((0, 0, 0), (1, 1, 3)) is None
    assert poisson_p(0, 0) is None


def test_welch_p_agrees_with_scipy_on_raw_data() -> None:
    a, b = [5, 6, 7, 7, 6, 5, 7], [3, 4, 5, 2, 4, 6, 3, 4]

    def moments(xs: list[int]) -> Moments:
        return Moments(n=len(xs), total=sum(xs), total_sq=sum(x * x for x in xs))

    expected = scipy_stats.ttest_ind(a, b, equal_var=False).pvalue
    assert welch_p(moments(a), moments(b)) == pytest.approx(expected, rel=1e-9)


def test_two_proportion_p_by_hand() -> None:
    # 60/100 vs 45/100: pooled 0.525, se = sqrt(0.525 * 0.475 * 0.02) = 0.070622, z = 2.1240.
    assert two_proportion_p(60, 100, 45, 100) == pytest.approx(0.033671, abs=1e-5)


def test_net_score_p_by_hand() -> None:
    # 50/20 of 100 (NPS 0.30, var 0.0061) vs 30/30 of 100 (NPS 0, var 0.006): z = 0.3 / 0.11.
    p = net_score_p((50, 20, 100), (30, 30, 100))
    assert p == pytest.approx(2 * scipy_stats.norm.sf(0.3 / 0.0121**0.5), rel=1e-9)


SIMULATIONS = 2000


def _coverage(hits: np.ndarray) -> float:
    return float(hits.mean())


def test_wilson_covers_the_true_proportion_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    truth, n = 0.3, 80
    draws = rng.binomial(n, truth, size=SIMULATIONS)
    covered = np.array([(lambda e: e.low <= truth <= e.high)(wilson(int(k), n)) for k in draws])
    assert 0.93 <= _coverage(covered) <= 0.97


def test_net_score_interval_covers_the_true_nps_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    shares, n = [0.45, 0.30, 0.25], 150  # promoters, passives, detractors: NPS 0.20
    truth = shares[0] - shares[2]
    counts = rng.multinomial(n, shares, size=SIMULATIONS)
    covered = np.array(
        [(lambda e: e.low <= truth <= e.high)(net_score(int(p), int(d), n)) for p, _, d in counts]
    )
    assert 0.93 <= _coverage(covered) <= 0.97


def test_t_interval_covers_the_true_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(13)
    scale, weights, n = np.arange(1, 8), np.array([1, 1, 2, 3, 4, 5, 4]) / 20, 40
    truth = float((scale * weights).sum())
    samples = rng.choice(scale, size=(SIMULATIONS, n), p=weights)
    covered = []
    for sample in samples:
        e = t_interval(Moments(n=n, total=int(sample.sum()), total_sq=int((sample**2).sum())))
        covered.append(e.low <= truth <= e.high)
    assert 0.93 <= _coverage(np.array(covered)) <= 0.97
