"""Key drivers: which touchpoints, topics, channels and customer traits move NPS or CSAT.

Each answer is one row: its score in points (NPS: a promoter 100, a passive 0, a detractor
-100, so the mean is the NPS; CSAT: 100 if satisfied, else 0) and yes/no indicators of what
came before it. Drivers overlap (a repeat call usually carries a complaint's topic), so a
regression's coefficients alone would split credit arbitrarily between them. Importance is
therefore Johnson's relative weights: the share of the explained variance each driver
accounts for once the drivers are made orthogonal, which sums to R², stays stable under
collinearity and agrees closely with Shapley (dominance) values at a fraction of the cost.
Every figure has a 95% percentile interval from resampling the answers, and a driver is
only considered with at least the minimum n of answers with it and without it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from cxloop.errors import ValidationFailed
from cxloop.insights.timelines import PERSONAL, Timeline, preceding

DriverMetric = Literal["nps", "csat"]
METRICS: dict[str, str] = {
    "nps": "NPS points (promoter 100, passive 0, detractor -100)",
    "csat": "CSAT points (satisfied, 4 or 5 of 5: 100, else 0)",
}
MAX_DRIVERS = 20
"""The most balanced candidates kept: more would overfit a few hundred answers."""
MAX_LEVELS = 8
"""A trait with more values than this (a name, an amount) is not a category."""
RESAMPLES = 200
SEED = 20261202
EIGEN_FLOOR = 1e-10
Matrix = NDArray[np.float64]


class Interval(BaseModel):
    value: float
    low: float
    high: float


class Driver(BaseModel):
    name: str = Field(
        description="'touchpoint: T', 'contacted on: C', 'topic: P', or 'trait: value'."
    )
    answers_with: int
    mean_with: float = Field(description="Mean score of answers with the driver, points.")
    mean_without: float
    effect: Interval = Field(
        description="Change in the score with the driver, the others held equal (points)."
    )
    importance: Interval = Field(description="% of the explained variance (relative weight).")


class Drivers(BaseModel):
    metric: DriverMetric
    unit: str
    start: datetime
    end: datetime
    n: int
    suppressed: bool = Field(description="Fewer answers than the minimum n, or no variation.")
    r_squared: Interval | None = Field(description="Share of score variance all drivers explain.")
    reference: dict[str, str] = Field(
        description="For each category, the commonest value, which the others are compared to."
    )
    drivers: list[Driver] = Field(description="Most important first.")
    too_few: int = Field(description="Candidates left out: fewer than min n with or without.")
    resamples: int


def points(metric: DriverMetric, answer: Mapping[str, Any]) -> float | None:
    score = answer[metric]
    if score is None:
        return None
    if metric == "nps":
        return 100.0 if score >= 9 else -100.0 if score <= 6 else 0.0
    return 100.0 if score >= 4 else 0.0


def _categories(answer: Mapping[str, Any], traits: Mapping[str, Any]) -> dict[str, str]:
    found = {"answered on": answer["channel"], "stage": answer["stage"]}
    for name, value in traits.items():
        if name not in PERSONAL and isinstance(value, str | bool | int):
            found[name] = str(value)
    return {k: v for k, v in found.items() if v is not None}


def relative_weights(x: Matrix, y: Matrix) -> Matrix:
    """Johnson's relative weights of the columns of ``x`` for ``y`` (they sum to R²). A
    column that does not vary gets 0."""
    sx, sy = x.std(axis=0), y.std()
    weights = np.zeros(x.shape[1])
    varying = sx > 0
    if sy == 0 or not varying.any():
        return weights
    zx = (x[:, varying] - x[:, varying].mean(axis=0)) / sx[varying]
    zy = (y - y.mean()) / sy
    n = len(y)
    corr = zx.T @ zx / n
    r = zx.T @ zy / n
    values, vectors = np.linalg.eigh(corr)
    kept = values > EIGEN_FLOOR * values.max()
    values, vectors = values[kept], vectors[:, kept]
    root = vectors @ np.diag(np.sqrt(values)) @ vectors.T
    beta = vectors @ np.diag(1 / np.sqrt(values)) @ vectors.T @ r
    weights[varying] = (root**2) @ (beta**2)
    return weights


def adjusted_effects(x: Matrix, y: Matrix) -> Matrix:
    """Least-squares coefficients with an intercept: each driver's change in points."""
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return np.asarray(coefficients[1:], dtype=np.float64)


def _interval(value: float, resampled: Sequence[float] | Matrix) -> Interval:
    low, high = np.percentile(resampled, [2.5, 97.5])
    return Interval(value=value, low=float(low), high=float(high))


def key_drivers(
    answers: Iterable[Mapping[str, Any]],
    timelines: Mapping[int, Timeline],
    traits: Mapping[int, Mapping[str, Any]],
    *,
    metric: DriverMetric,
    start: datetime,
    end: datetime,
    min_n: int,
) -> Drivers:
    if metric not in METRICS:
        raise ValidationFailed("key drivers explain 'nps' or 'csat'", field="metric")
    scores: list[float] = []
    rows: list[set[str]] = []
    levels: dict[str, Counter[str]] = {}
    low, high = start.replace(tzinfo=None), end.replace(tzinfo=None)
    for answer in answers:
        value = points(metric, answer)
        if value is None or not low <= answer["at"] < high:
            continue
        cid = answer["customer_id"]
        row = set(preceding(timelines.get(cid), answer["at"]))
        for category, level in _categories(answer, traits.get(cid, {})).items():
            levels.setdefault(category, Counter())[level] += 1
            row.add(f"{category}: {level}")
        scores.append(value)
        rows.append(row)
    n = len(scores)
    reference = {
        c: min(counts, key=lambda level: (-counts[level], level))  # ties: alphabetical
        for c, counts in sorted(levels.items())
        if 2 <= len(counts) <= MAX_LEVELS
    }
    # A category is compared to its commonest value; one with too many values is left out.
    skipped = {f"{c}: {level}" for c, counts in levels.items() for level in counts}
    skipped -= {f"{c}: {level}" for c in reference for level in levels[c] if level != reference[c]}
    counts = Counter(name for row in rows for name in row if name not in skipped)
    balanced = {name: min(k, n - k) for name, k in counts.items()}
    eligible = sorted(
        (name for name, b in balanced.items() if b >= min_n), key=lambda m: (-balanced[m], m)
    )
    chosen = eligible[:MAX_DRIVERS]
    base = Drivers(
        metric=metric,
        unit=METRICS[metric],
        start=start,
        end=end,
        n=n,
        suppressed=True,
        r_squared=None,
        reference=reference,
        drivers=[],
        too_few=len(balanced) - len(eligible),
        resamples=RESAMPLES,
    )
    y = np.asarray(scores, dtype=np.float64)
    if n < min_n or not chosen or y.std() == 0:
        return base
    x = np.asarray([[name in row for name in chosen] for row in rows], dtype=np.float64)
    weights, effects = relative_weights(x, y), adjusted_effects(x, y)
    rng = np.random.default_rng(SEED)
    boot_weights, boot_effects, boot_r2 = [], [], []
    for _ in range(RESAMPLES):
        pick = rng.integers(0, n, n)
        w = relative_weights(x[pick], y[pick])
        total = w.sum()
        boot_weights.append(100 * w / total if total > 0 else w)
        boot_effects.append(adjusted_effects(x[pick], y[pick]))
        boot_r2.append(total)
    r2 = float(weights.sum())
    share = 100 * weights / r2 if r2 > 0 else weights
    bw, be = np.asarray(boot_weights), np.asarray(boot_effects)
    drivers = []
    for j, name in enumerate(chosen):
        has = x[:, j] == 1
        drivers.append(
            Driver(
                name=name,
                answers_with=int(has.sum()),
                mean_with=float(y[has].mean()),
                mean_without=float(y[~has].mean()),
                effect=_interval(float(effects[j]), be[:, j]),
                importance=_interval(float(share[j]), bw[:, j]),
            )
        )
    drivers.sort(key=lambda d: (-d.importance.value, d.name))
    return base.model_copy(
        update={
            "suppressed": False,
            "r_squared": _interval(r2, boot_r2),
            "drivers": drivers,
        }
    )
