"""CUPED: less noise in an effect from what each customer did before the experiment.

Subtracting theta * (pre - mean(pre)) from each outcome removes the part of the outcome the
pre-period predicts (heavy users stay heavy users) without biasing the effect: the
pre-period cannot have been changed by the treatment, so its mean is the same in both arms
in expectation. theta is the pooled regression slope of outcome on pre-period, which makes
the remaining variance smallest (Deng, Xu, Kohavi and Walker, 2013).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cxloop.errors import ValidationFailed
from cxloop.experiments.samples import Arms


@dataclass(frozen=True)
class Adjusted:
    arms: Arms
    theta: float


def adjust(outcomes: Arms, pre: Arms) -> Adjusted:
    y = np.concatenate([outcomes.control, outcomes.treatment])
    x = np.concatenate([pre.control, pre.treatment])
    spread = float(np.var(x, ddof=1))
    if spread == 0:
        raise ValidationFailed(
            "the pre-period values are the same for every customer; CUPED has nothing to use",
            field="pre_period",
        )
    theta = float(np.cov(y, x, ddof=1)[0, 1] / spread)
    centre = float(x.mean())
    return Adjusted(
        arms=Arms(
            outcomes.names,
            outcomes.control - theta * (pre.control - centre),
            outcomes.treatment - theta * (pre.treatment - centre),
        ),
        theta=theta,
    )
