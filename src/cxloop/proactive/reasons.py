"""Why a customer's risk is high, in words: per-customer feature attributions.

A feature's contribution is how much the customer's log-odds drop when that feature alone is
replaced by values typical of the customer base (the deciles of a number, the categories in
proportion to how often they occur), averaged over those values: log-odds(x) minus the mean
log-odds of x with feature j swapped. For a model additive in log-odds this is exactly the
(interventional) SHAP value; ours is nearly additive (the spline model) with a few
interactions (log-ratios of two numbers, shallow trees, the averaging of two models), so it
is the one-feature-at-a-time approximation of it, computed with the model itself and no
extra dependency. The features pushing the risk up most become the reasons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cxloop.proactive.features import RATIO_PREFIX, Categorical, Numeric, Schema, with_ratios
from cxloop.proactive.table import Cell

MIN_WEIGHT = 0.05  # log-odds; below this a feature barely moves the risk
EPSILON = 1e-6

Predict = Callable[[Any], NDArray[np.float64]]


@dataclass(frozen=True)
class Reason:
    feature: str
    value: str | float | None
    text: str
    weight: float  # log-odds added by this feature's value

    def as_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "value": self.value,
            "text": self.text,
            "weight": round(self.weight, 3),
        }


def logit(p: NDArray[np.float64]) -> NDArray[np.float64]:
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def _references(column: Numeric | Categorical) -> tuple[list[Any], NDArray[np.float64]]:
    if isinstance(column, Numeric):
        values: list[Any] = list(column.deciles)
        return values, np.full(len(values), 1 / len(values))
    weights = np.array(column.shares)
    return list(column.categories), weights / weights.sum()


def contributions(schema: Schema, frame: Any, predict: Predict) -> dict[str, NDArray[np.float64]]:
    """Each raw feature's contribution to every row's log-odds."""
    raw = frame.drop(columns=[c for c in frame.columns if str(c).startswith(RATIO_PREFIX)])
    base = logit(predict(frame))
    n = len(frame)
    out: dict[str, NDArray[np.float64]] = {}
    for column in schema.columns:
        values, weights = _references(column)
        swapped = pd.concat([raw] * len(values), ignore_index=True)
        repeated = np.repeat(np.array(values, dtype=object), n)
        if isinstance(column, Categorical):
            swapped[column.name] = pd.Categorical(repeated, categories=column.levels)
        else:
            swapped[column.name] = repeated.astype(float)
        odds = logit(predict(with_ratios(swapped, schema.ratios))).reshape(len(values), n)
        out[column.name] = base - weights @ odds
    return out


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def describe(column: Numeric | Categorical, value: Cell) -> str:
    """A feature's value in words: "Contract: Month-to-month", "tenure 2 (typical 29)"."""
    if value is None:
        return f"{column.name} blank"
    if isinstance(column, Categorical):
        text = _number(value) if isinstance(value, float) else value
        return f"{column.name}: {text}"
    number = float(value)
    return f"{column.name} {_number(number)} (typical {_number(column.median)})"


def top_reasons(
    schema: Schema,
    columns: Mapping[str, Sequence[Cell]],
    weights: Mapping[str, NDArray[np.float64]],
    row: int,
    top: int,
) -> list[Reason]:
    """The ``top`` features adding most to this row's risk (only those that add some)."""
    by_name = {c.name: c for c in schema.columns}
    ranked = sorted(by_name, key=lambda name: -weights[name][row])
    reasons: list[Reason] = []
    for name in ranked[:top]:
        weight = float(weights[name][row])
        if weight < MIN_WEIGHT:
            break
        value = columns[name][row]
        reasons.append(Reason(name, value, describe(by_name[name], value), weight))
    return reasons
