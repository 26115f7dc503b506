"""An always-valid test: the mixture sequential probability ratio test (mSPRT).

A fixed-horizon p-value is only valid at the sample size planned in advance; looking at it
every day and stopping at the first p < 0.05 makes false positives several times likelier.
The mSPRT likelihood ratio, with a normal mixture of width tau over the effect, is a
martingale under "no effect", so 1/ratio is a p-value valid at every look, and the set of
effects it does not reject is a confidence sequence (Johari, Pekelis and Walsh, 2017).
With V the variance of the estimated difference:

    ratio = sqrt(V / (V + tau^2)) * exp(tau^2 * (d - d0)^2 / (2 V (V + tau^2)))
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class AlwaysValid:
    p_value: float
    low: float
    high: float


def msprt(difference: float, variance: float, *, tau: float, alpha: float) -> AlwaysValid:
    """The always-valid p-value of "no effect" and the (1 - alpha) confidence sequence."""
    t2 = tau * tau
    shrink = variance + t2
    log_ratio = 0.5 * math.log(variance / shrink) + t2 * difference**2 / (2 * variance * shrink)
    p_value = 1.0 if log_ratio <= 0 else math.exp(-log_ratio)
    half = math.sqrt(
        2 * variance * shrink / t2 * (math.log(1 / alpha) + 0.5 * math.log(shrink / variance))
    )
    return AlwaysValid(p_value=min(1.0, p_value), low=difference - half, high=difference + half)
