"""Estimates with 95% intervals and tests of change, from additive sufficient statistics.

Engines return only integer counts and sums (exact on every engine, and additive across
groups and periods); everything with a square root or a quantile happens here, once.

Tails and quantiles call the special functions (``ndtr``, ``stdtr``, ``stdtrit``) that
``scipy.stats`` distributions evaluate underneath, so the numbers are bit for bit theirs, but
without the distribution objects' argument checking: about 0.2 µs a call instead of 120 µs,
which made the p-values most of a grouped metric's time outside the engine (416 groups).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from scipy import special as _special
from scipy import stats as _scipy

CONFIDENCE = 0.95
Z = float(_scipy.norm.ppf(0.5 + CONFIDENCE / 2))


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value with its interval; ``low``/``high`` are None where no interval is defined."""

    value: float | None
    low: float | None
    high: float | None


EMPTY = Estimate(value=None, low=None, high=None)


def two_sided_p(z: float) -> float:
    return float(2 * _special.ndtr(-abs(z)))


def wilson(successes: int, n: int) -> Estimate:
    """Wilson score interval: stays inside [0, 1] and behaves at 0% and 100%, unlike Wald."""
    if n == 0:
        return EMPTY
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return Estimate(value=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """Pooled two-proportion z-test; None when either side is empty or nothing varies."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return None
    return two_sided_p((k1 / n1 - k2 / n2) / se)


def net_score(promoters: int, detractors: int, n: int) -> Estimate:
    """NPS as a fraction in [-1, 1]: its variance is that of the promoter/detractor difference.

    With p and d the shares, Var(p - d) = (p + d - (p - d)^2) / n (a multinomial difference).
    """
    if n == 0:
        return EMPTY
    value = (promoters - detractors) / n
    half = Z * math.sqrt(net_score_variance(promoters, detractors, n))
    return Estimate(value=value, low=max(-1.0, value - half), high=min(1.0, value + half))


def net_score_variance(promoters: int, detractors: int, n: int) -> float:
    p, d = promoters / n, detractors / n
    return (p + d - (p - d) ** 2) / n


def net_score_p(a: tuple[int, int, int], b: tuple[int, int, int]) -> float | None:
    """z-test of two independent net scores, each given as (promoters, detractors, n)."""
    if a[2] == 0 or b[2] == 0:
        return None
    se = math.sqrt(net_score_variance(*a) + net_score_variance(*b))
    if se == 0:
        return None
    return two_sided_p(((a[0] - a[1]) / a[2] - (b[0] - b[1]) / b[2]) / se)


@dataclass(frozen=True, slots=True)
class Moments:
    n: int
    total: float
    total_sq: float

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """Sample variance (n - 1), clamped at zero against rounding."""
        if self.n < 2:
            return 0.0
        return max(0.0, (self.total_sq - self.total * self.total / self.n) / (self.n - 1))


def t_interval(m: Moments) -> Estimate:
    """Student's t interval of a mean; a single observation has a value but no interval."""
    if m.n == 0:
        return EMPTY
    if m.n == 1:
        return Estimate(value=m.mean, low=None, high=None)
    half = float(_special.stdtrit(m.n - 1, 0.5 + CONFIDENCE / 2)) * math.sqrt(m.variance / m.n)
    return Estimate(value=m.mean, low=m.mean - half, high=m.mean + half)


def welch_p(a: Moments, b: Moments) -> float | None:
    """Welch's t-test of two means (unequal variances); None below two observations a side."""
    if a.n < 2 or b.n < 2:
        return None
    va, vb = a.variance / a.n, b.variance / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return None
    df = (va + vb) ** 2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1))
    return float(2 * _special.stdtr(df, -abs((a.mean - b.mean) / se)))


@lru_cache(maxsize=4096)
def median_ranks(n: int) -> tuple[int, int] | None:
    """Ranks (1-based) of the order statistics bounding the median with at least 95%
    confidence, whatever the distribution: the binomial(n, 1/2) tails. None below six values,
    where even the smallest and largest do not reach 95%."""
    low = int(_scipy.binom.ppf((1 - CONFIDENCE) / 2, n, 0.5))
    if low < 1:
        return None
    return low, n - low + 1


def poisson_p(a: int, b: int) -> float | None:
    """Two counts over equal exposure: a z-test of their difference (normal approximation)."""
    if a + b == 0:
        return None
    return two_sided_p((a - b) / math.sqrt(a + b))


def risk_ratio(exposed: tuple[int, int], unexposed: tuple[int, int]) -> Estimate:
    """How many times likelier an outcome is with an exposure than without: each side given
    as (outcomes, n). Katz log interval; with an empty cell, half is added to every cell
    (Haldane) so the ratio and its interval stay finite."""
    if exposed[1] == 0 or unexposed[1] == 0 or exposed[0] + unexposed[0] == 0:
        return EMPTY
    extra = 0.5 if 0 in (exposed[0], unexposed[0]) else 0.0
    a, n1 = exposed[0] + extra, exposed[1] + 2 * extra
    c, n0 = unexposed[0] + extra, unexposed[1] + 2 * extra
    ratio = (a / n1) / (c / n0)
    half = Z * math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n0))
    return Estimate(value=ratio, low=ratio * math.exp(-half), high=ratio * math.exp(half))
