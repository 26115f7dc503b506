"""Sample sizes planned from the company's own customers, not from a guess of the spread.

The customers an experiment needs per arm depend on how much one customer's value of the
metric varies (:func:`cxloop.experiments.sample_size_mean`), which few people know for their
NPS or their contacts. Here it is measured: each customer's value over the last window (the
same per-customer definition the results use), and, for CUPED, how much of it the window
before explains (the squared correlation between the two), so the plan says how many
customers it takes with and without the pre-period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.experiments.outcomes import Window, check_metric, outcomes
from cxloop.experiments.power import POWER, sample_size_mean
from cxloop.experiments.service import catalogue_metric, metric_filters
from cxloop.types import utcnow

MIN_CUSTOMERS = 2
MAX_REDUCTION = 0.99  # sample_size_mean needs less than all the variance removed


@dataclass(frozen=True)
class SampleSize:
    metric: str
    window_days: int
    customers: int
    """Customers with a value in the last window (those whose spread is measured)."""
    mean: float
    sd: float
    minimum_effect: float
    per_arm: int
    variance_reduction: float | None
    """Share of the variance the previous window explains (None: too few had both)."""
    per_arm_with_cuped: int | None


def plan_sample_size(
    session: Session,
    *,
    metric: str,
    minimum_effect: float,
    filters: list[str] | None = None,
    binary: bool = False,
    window_days: int = 30,
    alpha: float = 0.05,
    power: float = POWER,
    now: datetime | None = None,
) -> SampleSize:
    """Customers per arm to detect ``minimum_effect`` on ``metric``, from the spread of the
    customers' values over the last ``window_days``."""
    now = now or utcnow()
    found = catalogue_metric(metric)
    check_metric(found, binary=binary)
    window = timedelta(days=window_days)
    ids = list(session.scalars(select(Customer.id).where(Customer.merged_into_id.is_(None))))
    windows = [Window(i, "post", now - window, now) for i in ids]
    windows += [Window(i, "pre", now - 2 * window, now - window) for i in ids]
    values = outcomes(
        session, found, windows, filters=metric_filters(found, filters or []), binary=binary
    )
    last, before = values.get("post", {}), values.get("pre", {})
    spread = np.array(list(last.values()), dtype=float)
    if len(spread) < MIN_CUSTOMERS or float(spread.std(ddof=1)) == 0:
        raise ValidationFailed(
            f"{len(spread)} customers have a {found.title} value in the last {window_days} "
            "days, not enough to measure its spread (or all the same); plan with "
            "sample_size_mean and a spread you expect, or a longer window",
            field="metric",
        )
    sd = float(spread.std(ddof=1))
    per_arm = sample_size_mean(sd=sd, effect=minimum_effect, alpha=alpha, power=power)
    reduction = _variance_explained(last, before)
    return SampleSize(
        metric=found.name,
        window_days=window_days,
        customers=len(spread),
        mean=round(float(spread.mean()), 4),
        sd=round(sd, 4),
        minimum_effect=minimum_effect,
        per_arm=per_arm,
        variance_reduction=None if reduction is None else round(reduction, 4),
        per_arm_with_cuped=None
        if reduction is None
        else sample_size_mean(
            sd=sd, effect=minimum_effect, alpha=alpha, power=power, variance_reduction=reduction
        ),
    )


def _variance_explained(last: dict[int, float], before: dict[int, float]) -> float | None:
    """The share of variance CUPED would remove: the squared correlation of each customer's
    value with their previous window's, counting those who had none then at its mean (as the
    results do); None when it cannot be measured."""
    known = [before[c] for c in last if c in before]
    if len(known) < MIN_CUSTOMERS or float(np.std(known)) == 0:
        return None
    centre = float(np.mean(known))
    now_values = np.array(list(last.values()))
    then_values = np.array([before.get(c, centre) for c in last])
    r = float(np.corrcoef(now_values, then_values)[0, 1])
    return min(r * r, MAX_REDUCTION)
