"""Lay out an experiment's effects as plain SVG geometry: each effect a dot with its 95%
interval as a whisker, on one axis with "no effect" marked, so whether an interval crosses
zero is visible at a glance (the numbers are beside each row and in a table too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cxloop.web.metric_charts import (
    BARS_LEFT,
    BARS_RIGHT,
    LABEL_RIGHT,
    PLOT_TOP,
    ROW_HEIGHT,
    VALUE_LEFT,
    WIDTH,
    Row,
    Tick,
)


@dataclass(frozen=True, slots=True)
class EffectChart:
    width: int
    height: int
    label_x: int
    left: int
    right: int
    value_x: int
    rows: list[Row]
    ticks: list[Tick]
    axis_y: float
    zero_x: float
    description: str


def effect_label(effect: dict[str, Any]) -> str:
    return f"{effect['difference']:+.3g} ({effect['low']:.3g} to {effect['high']:.3g})"


def effect_chart(
    effects: Sequence[tuple[str, dict[str, Any]]], *, unit: str, what: str
) -> EffectChart | None:
    """``effects``: (label, Effect.as_dict()) pairs, drawn top to bottom."""
    if not effects:
        return None
    values = [0.0, *(float(e[k]) for _, e in effects for k in ("low", "high"))]
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, 1e-9)
    low, high = low - pad, high + pad

    def x(value: float) -> float:
        return round(BARS_LEFT + (float(value) - low) / (high - low) * (BARS_RIGHT - BARS_LEFT), 1)

    rows = []
    for index, (label, effect) in enumerate(effects):
        top = PLOT_TOP + index * ROW_HEIGHT
        rows.append(
            Row(
                label=label,
                text_y=top + 19,
                mid_y=top + 15,
                x=x(effect["difference"]),
                low_x=x(effect["low"]),
                high_x=x(effect["high"]),
                value_label=effect_label(effect),
            )
        )
    axis_y = PLOT_TOP + len(rows) * ROW_HEIGHT + 5
    step = (high - low) / 4
    return EffectChart(
        width=WIDTH,
        height=axis_y + 30,
        label_x=LABEL_RIGHT,
        left=BARS_LEFT,
        right=BARS_RIGHT,
        value_x=VALUE_LEFT,
        rows=rows,
        ticks=[Tick(position=x(low + i * step), label=f"{low + i * step:.3g}") for i in range(5)],
        axis_y=axis_y,
        zero_x=x(0.0),
        description=f"{what}, in {unit}: each dot is the difference from the control, the "
        "line its 95% confidence interval; the vertical line is no effect.",
    )
