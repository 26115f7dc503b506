"""An experiment's analysis plan, stated before it starts, and the verdict it allows.

Deciding after the fact when to look, or which test to use, is how experiments "find"
effects that are not there. So the plan fixes up front the metric, the smallest effect that
matters, the sample per arm and the kind of analysis: *fixed* (one look, when the planned
sample is reached; earlier reads get no verdict) or *sequential* (an always-valid mSPRT,
which may be read at any time and stopped as soon as it is conclusive).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cxloop.errors import ValidationFailed
from cxloop.experiments.effects import ALPHA, Effect, mean_effect

Analysis = Literal["fixed", "sequential"]


@dataclass(frozen=True)
class Plan:
    metric: str
    analysis: Analysis
    minimum_effect: float  # in the metric's unit; also the mSPRT mixture's width
    per_arm: int  # customers per arm: the horizon (fixed) or the most it may run (sequential)
    alpha: float = ALPHA

    def __post_init__(self) -> None:
        if self.analysis not in ("fixed", "sequential"):
            raise ValidationFailed("analysis must be 'fixed' or 'sequential'", field="analysis")
        if self.per_arm < 2 or self.minimum_effect == 0:
            raise ValidationFailed(
                "plan at least 2 customers per arm and a non-zero minimum effect", field="plan"
            )


@dataclass(frozen=True)
class Verdict:
    effect: Effect
    finished: bool
    text: str


def _number(value: float) -> str:
    return f"{value:.3g}"


def _conclusion(plan: Plan, effect: Effect, treatment: str) -> str:
    interval = f"95% CI {_number(effect.low)} to {_number(effect.high)}"
    if effect.significant:
        direction = "raises" if effect.difference > 0 else "lowers"
        return (
            f"{treatment} {direction} {plan.metric} by {_number(abs(effect.difference))} "
            f"({interval}; p = {_number(effect.p_value)})."
        )
    return (
        f"No detectable effect of {treatment} on {plan.metric}: "
        f"{_number(effect.difference)} ({interval}; p = {_number(effect.p_value)}); "
        f"the experiment was sized to detect {_number(abs(plan.minimum_effect))}."
    )


def analyse(
    plan: Plan,
    control: Sequence[float],
    treatment: Sequence[float],
    *,
    pre_control: Sequence[float] | None = None,
    pre_treatment: Sequence[float] | None = None,
    names: tuple[str, str] = ("control", "treatment"),
) -> Verdict:
    """The effect, and a plain-language verdict only when the plan allows one."""
    sequential = plan.analysis == "sequential"
    effect = mean_effect(
        control,
        treatment,
        pre_control=pre_control,
        pre_treatment=pre_treatment,
        names=names,
        alpha=plan.alpha,
        tau=abs(plan.minimum_effect) if sequential else None,
    )
    reached = min(effect.n_control, effect.n_treatment) >= plan.per_arm
    if reached or (sequential and effect.significant):
        return Verdict(effect, True, _conclusion(plan, effect, names[1]))
    smaller = min(effect.n_control, effect.n_treatment)
    why = (
        "the sequential test is not conclusive yet"
        if sequential
        else "a fixed-horizon test read early overstates significance"
    )
    return Verdict(
        effect,
        False,
        f"Not finished: {smaller} of {plan.per_arm} customers in the smaller arm; {why}.",
    )
