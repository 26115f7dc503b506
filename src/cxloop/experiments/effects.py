"""The effect of a treatment on a metric, with its 95% interval and a test of "no effect".

Means use Welch's t (unequal variances, so a treatment that also changes the spread does not
fool the test); proportions use the normal approximation with each arm's own variance.
Interval and test share one standard error, so "significant" and "the interval excludes
zero" always agree. With ``tau`` the analysis is sequential instead (see
:mod:`cxloop.experiments.sequential`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

from cxloop.errors import ValidationFailed
from cxloop.experiments.cuped import adjust
from cxloop.experiments.samples import Arms, arms, pre_period
from cxloop.experiments.sequential import msprt

ALPHA = 0.05


@dataclass(frozen=True)
class Effect:
    """``difference`` is treatment minus control, in the metric's own unit."""

    control: float
    treatment: float
    difference: float
    low: float
    high: float
    p_value: float
    n_control: int
    n_treatment: int
    method: str
    alpha: float = ALPHA
    variance_reduction: float | None = None  # CUPED: share of the variance removed

    @property
    def significant(self) -> bool:
        return self.p_value < self.alpha

    @property
    def relative(self) -> float | None:
        """The difference as a share of the control's level (None when that is zero)."""
        return None if self.control == 0 else self.difference / self.control

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "significant": self.significant, "relative": self.relative}


def _variance(sample: Arms) -> float:
    """Variance of the difference of the two means, each arm with its own variance."""
    n_c, n_t = sample.sizes
    return float(np.var(sample.control, ddof=1) / n_c + np.var(sample.treatment, ddof=1) / n_t)


def _test(sample: Arms, alpha: float, tau: float | None) -> tuple[float, float, float]:
    """(low, high, p-value) of the difference: Welch, or mSPRT when ``tau`` is given."""
    difference = float(sample.treatment.mean() - sample.control.mean())
    variance = _variance(sample)
    if variance == 0:  # every customer of each arm has the same value
        return difference, difference, 1.0 if difference == 0 else 0.0
    if tau is not None:
        result = msprt(difference, variance, tau=tau, alpha=alpha)
        return result.low, result.high, result.p_value
    with warnings.catch_warnings():
        # An arm where every customer has the same value (all detractors) is real data; scipy
        # warns about its zero spread, and the result is still exact.
        warnings.simplefilter("ignore", RuntimeWarning)
        test = stats.ttest_ind(sample.treatment, sample.control, equal_var=False)
    interval = test.confidence_interval(1 - alpha)
    return float(interval.low), float(interval.high), float(test.pvalue)


def mean_effect(
    control: Sequence[float],
    treatment: Sequence[float],
    *,
    pre_control: Sequence[float] | None = None,
    pre_treatment: Sequence[float] | None = None,
    names: tuple[str, str] = ("control", "treatment"),
    alpha: float = ALPHA,
    tau: float | None = None,
) -> Effect:
    """The effect on a per-customer metric (a score, a count, 0/1 for a proportion).

    With pre-period values (the same metric before the experiment, one per customer in the
    same order) the estimate is CUPED-adjusted: same effect, narrower interval. With
    ``tau`` (the size of effect that matters) the analysis is sequential: p-value and
    interval stay valid however often they are read.
    """
    outcomes = arms(control, treatment, names)
    analysed, reduction, method = outcomes, None, "Welch t-test"
    if (pre_control is None) != (pre_treatment is None):
        raise ValidationFailed("give pre-period values for both arms or neither", field="pre")
    if pre_control is not None and pre_treatment is not None:
        analysed = adjust(outcomes, pre_period(outcomes, pre_control, pre_treatment)).arms
        reduction = 1 - _variance(analysed) / _variance(outcomes) if _variance(outcomes) else 0.0
        method = "CUPED + Welch t-test"
    if tau is not None:
        if tau <= 0:
            raise ValidationFailed("tau must be positive", field="tau")
        method = method.replace("Welch t-test", "mSPRT (always valid)")
    low, high, p_value = _test(analysed, alpha, tau)
    return Effect(
        control=float(outcomes.control.mean()),
        treatment=float(outcomes.treatment.mean()),
        difference=float(analysed.treatment.mean() - analysed.control.mean()),
        low=low,
        high=high,
        p_value=p_value,
        n_control=outcomes.sizes[0],
        n_treatment=outcomes.sizes[1],
        method=method,
        alpha=alpha,
        variance_reduction=None if reduction is None else round(reduction, 4),
    )


def proportion_effect(
    control: tuple[int, int],
    treatment: tuple[int, int],
    *,
    names: tuple[str, str] = ("control", "treatment"),
    alpha: float = ALPHA,
) -> Effect:
    """The effect on a rate from counts: ``(successes, customers)`` per arm."""
    for name, (successes, n) in zip(names, (control, treatment), strict=True):
        if n <= 0:
            raise ValidationFailed(f"arm '{name}' has no customers", field=name)
        if not 0 <= successes <= n:
            raise ValidationFailed(
                f"arm '{name}' has {successes} successes out of {n} customers", field=name
            )
    p_c, p_t = control[0] / control[1], treatment[0] / treatment[1]
    difference = p_t - p_c
    se = math.sqrt(p_c * (1 - p_c) / control[1] + p_t * (1 - p_t) / treatment[1])
    z = float(stats.norm.ppf(1 - alpha / 2))
    if se == 0:  # 0% or 100% in both arms
        p_value = 1.0 if difference == 0 else 0.0
    else:
        p_value = float(2 * stats.norm.sf(abs(difference) / se))
    return Effect(
        control=p_c,
        treatment=p_t,
        difference=difference,
        low=difference - z * se,
        high=difference + z * se,
        p_value=p_value,
        n_control=control[1],
        n_treatment=treatment[1],
        method="two-proportion z-test",
        alpha=alpha,
    )
