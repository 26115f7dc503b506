"""How many customers an experiment needs per arm to detect the effect that matters.

Planning the sample size first is what makes a fixed-horizon test honest: the result is read
once, when the planned number is reached. Two-sided test, equal arms, normal approximation:

    n = (z(1 - alpha/2) + z(power))^2 * (variance of one customer's outcome, both arms) / effect^2
"""

from __future__ import annotations

import math

from scipy import stats

from cxloop.errors import ValidationFailed

POWER = 0.8


def _z(alpha: float, power: float) -> tuple[float, float]:
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValidationFailed("alpha and power must be between 0 and 1", field="power")
    return float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))


def sample_size_mean(
    *,
    sd: float,
    effect: float,
    alpha: float = 0.05,
    power: float = POWER,
    variance_reduction: float = 0.0,
) -> int:
    """Customers per arm to detect ``effect`` on a metric whose spread is ``sd``. With CUPED,
    ``variance_reduction`` (the share a pilot or past period shows it removes) shrinks it."""
    if sd <= 0 or effect == 0:
        raise ValidationFailed("sd must be positive and the effect not zero", field="effect")
    if not 0 <= variance_reduction < 1:
        raise ValidationFailed("variance_reduction must be in [0, 1)", field="variance_reduction")
    z_alpha, z_power = _z(alpha, power)
    variance = 2 * sd * sd * (1 - variance_reduction)
    return math.ceil((z_alpha + z_power) ** 2 * variance / (effect * effect))


def sample_size_proportion(
    *, baseline: float, effect: float, alpha: float = 0.05, power: float = POWER
) -> int:
    """Customers per arm to move a rate from ``baseline`` by ``effect`` (absolute: 0.02 is
    two points). Pooled variance under "no effect", each arm's own under the effect."""
    target = baseline + effect
    if not 0 < baseline < 1 or not 0 < target < 1 or effect == 0:
        raise ValidationFailed(
            "baseline and baseline + effect must be rates strictly between 0 and 1",
            field="effect",
        )
    z_alpha, z_power = _z(alpha, power)
    pooled = (baseline + target) / 2
    under_null = z_alpha * math.sqrt(2 * pooled * (1 - pooled))
    under_effect = z_power * math.sqrt(baseline * (1 - baseline) + target * (1 - target))
    return math.ceil((under_null + under_effect) ** 2 / (effect * effect))
