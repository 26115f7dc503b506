"""Uplift: the effect within each segment of customers, to see whom the action helps most.

Segments come from a customer trait: its values as they are (plan, region), or, for a
numeric trait (monthly value), three bands cut at the tertiles of the customers analysed.
Each segment's effect is a plain Welch estimate with its 95% interval. Several segments are
several tests, so one of them can look significant by chance: the summary says so, and a
segment is only called the one that helps most when its interval excludes zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.experiments.effects import Effect, mean_effect
from cxloop.experiments.enrolment import NO_VALUE, trait_text
from cxloop.experiments.schemas import SegmentEffect, Uplift

CAVEAT = (
    "Segment effects are exploratory: each is its own test, so with several segments one may "
    "look significant by chance."
)


@dataclass(frozen=True, slots=True)
class Outcome:
    arm: str
    values: Mapping[int, float]
    """Each measured customer's outcome."""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _labels(traits: Mapping[int, Mapping[str, object]], trait: str) -> dict[int, str]:
    raw = {cid: t.get(trait) for cid, t in traits.items()}
    numbers = {cid: _number(v) for cid, v in raw.items() if v is not None and v != ""}
    if numbers and all(n is not None for n in numbers.values()) and len(set(numbers.values())) > 3:
        values = [n for n in numbers.values() if n is not None]
        low, high = (float(q) for q in np.quantile(values, [1 / 3, 2 / 3]))

        def band(n: float) -> str:
            if n < low:
                return f"low (below {low:.4g})"
            if n < high:
                return f"middle ({low:.4g} to {high:.4g})"
            return f"high ({high:.4g} and above)"

        return {cid: band(n) if n is not None else NO_VALUE for cid, n in numbers.items()} | {
            cid: NO_VALUE for cid in raw if cid not in numbers
        }
    return {cid: trait_text(t, trait) for cid, t in traits.items()}


def _good(effect: Effect, higher_is_better: bool) -> bool:
    return (effect.difference > 0) == higher_is_better


def _note(effect: Effect, higher_is_better: bool) -> str:
    if not effect.significant:
        return "no clear effect"
    return "helps" if _good(effect, higher_is_better) else "harms"


def uplift(
    session: Session,
    trait: str,
    control: Outcome,
    treatment: Outcome,
    *,
    higher_is_better: bool,
    alpha: float,
) -> Uplift:
    customers = sorted({*control.values, *treatment.values})
    traits: dict[int, Mapping[str, object]] = {}
    for start in range(0, len(customers), 1000):
        rows = session.execute(
            select(Customer.id, Customer.traits).where(
                Customer.id.in_(customers[start : start + 1000])
            )
        )
        traits.update({cid: own or {} for cid, own in rows})
    labels = _labels(traits, trait)
    split: dict[str, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for side, outcome in enumerate((control, treatment)):
        for cid, value in outcome.values.items():
            split[labels.get(cid, NO_VALUE)][side].append(value)
    segments: list[SegmentEffect] = []
    helped: list[tuple[float, str, Effect]] = []
    for label in sorted(split):
        c, t = split[label]
        if len(c) < 2 or len(t) < 2:
            segments.append(
                SegmentEffect(
                    segment=label,
                    n_control=len(c),
                    n_treatment=len(t),
                    effect=None,
                    note="too few customers in an arm to estimate",
                )
            )
            continue
        effect = mean_effect(c, t, names=(control.arm, treatment.arm), alpha=alpha)
        segments.append(
            SegmentEffect(
                segment=label,
                n_control=len(c),
                n_treatment=len(t),
                effect=effect.as_dict(),
                note=_note(effect, higher_is_better),
            )
        )
        gain = effect.difference if higher_is_better else -effect.difference
        helped.append((gain, label, effect))
    return _summarise(trait, treatment.arm, segments, helped, higher_is_better)


def _summarise(
    trait: str,
    arm: str,
    segments: list[SegmentEffect],
    helped: list[tuple[float, str, Effect]],
    higher_is_better: bool,
) -> Uplift:
    if not helped:
        summary = f"Too few customers in each {trait} to estimate an effect per segment."
        return Uplift(trait=trait, arm=arm, segments=segments, best=None, summary=summary)
    clear = [h for h in helped if h[2].significant and _good(h[2], higher_is_better)]
    _, label, effect = max(clear or helped, key=lambda h: h[0])
    interval = f"{effect.difference:+.3g} (95% CI {effect.low:.3g} to {effect.high:.3g})"
    if clear:
        summary = f"{arm} helps most where {trait} is {label}: {interval}. {CAVEAT}"
        return Uplift(trait=trait, arm=arm, segments=segments, best=label, summary=summary)
    summary = (
        f"No {trait} segment shows a clear benefit from {arm}; the best estimate is for "
        f"{label}: {interval}. {CAVEAT}"
    )
    return Uplift(trait=trait, arm=arm, segments=segments, best=None, summary=summary)
