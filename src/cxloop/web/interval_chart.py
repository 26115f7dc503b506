"""Lay out a chart of estimates with their intervals: one row per item, a dot (or a bar) for
the value and a whisker for its 95% interval, on a linear or logarithmic axis, with an
optional reference line (no effect: a lift of 1, a change of 0).

Plain SVG geometry drawn by a template, like the dashboard's charts: no JavaScript, no
inline style, and every row carries its numbers in words, so colour is never needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 760
VALUE_ROOM = 250
"""Room right of the plot for each row's numbers in words."""
ROW_HEIGHT = 30
TOP = 10
NICE = (1.0, 2.0, 5.0)


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Item:
    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    text_y: float
    mid_y: float
    x: float | None
    low_x: float | None
    high_x: float | None
    base_x: float
    text: str


@dataclass(frozen=True, slots=True)
class IntervalChart:
    width: int
    height: int
    label_x: int
    left: int
    right: int
    value_x: int
    rows: list[Row]
    ticks: list[Tick]
    axis_y: float
    reference_x: float | None
    bars: bool
    description: str


def _log_ticks(low: float, high: float) -> list[float]:
    ticks = []
    for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        ticks += [n * 10**power for n in NICE if low <= n * 10**power <= high]
    return ticks if len(ticks) >= 2 else [low, high]


def _linear_ticks(low: float, high: float) -> list[float]:
    raw = (high - low) / 4
    step = min(
        (n * 10 ** math.floor(math.log10(raw)) for n in (*NICE, 10.0)),
        key=lambda s: abs(s - raw),
    )
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)]


def interval_chart(
    items: Sequence[Item],
    *,
    description: str,
    log: bool = False,
    reference: float | None = None,
    bars: bool = False,
    label_width: int = 170,
    width: int = WIDTH,
    tick_format: str = "{:g}",
) -> IntervalChart | None:
    """The chart's geometry, or None when no item has a value."""
    values = [
        v
        for item in items
        for v in (item.value, item.low, item.high)
        if v is not None and (v > 0 or not log)
    ]
    if not values:
        return None
    if reference is not None:
        values.append(reference)
    if bars:
        values.append(0.0)
    low, high = min(values), max(values)
    if log:
        low, high = low / 1.25, high * 1.25
    else:
        pad = max((high - low) * 0.05, 1e-9)
        low, high = (low if bars and low == 0 else low - pad), high + pad
    left = label_width + 10
    right = width - VALUE_ROOM
    scale = math.log10 if log else float

    def x(value: float | None) -> float | None:
        if value is None or (log and value <= 0):
            return None
        span = scale(high) - scale(low)
        return round(left + (scale(value) - scale(low)) / span * (right - left), 1)

    base = x(reference if reference is not None and not bars else low if log else 0.0)
    rows = [
        Row(
            label=item.label,
            text_y=TOP + i * ROW_HEIGHT + 19,
            mid_y=TOP + i * ROW_HEIGHT + 15,
            x=x(item.value),
            low_x=x(item.low),
            high_x=x(item.high),
            base_x=base or left,
            text=item.text,
        )
        for i, item in enumerate(items)
    ]
    axis_y = TOP + len(rows) * ROW_HEIGHT + 5
    ticks = (_log_ticks if log else _linear_ticks)(low, high)
    return IntervalChart(
        width=width,
        height=int(axis_y + 30),
        label_x=label_width,
        left=left,
        right=right,
        value_x=right + 10,
        rows=rows,
        ticks=[Tick(position=x(t) or left, label=tick_format.format(t)) for t in ticks],
        axis_y=axis_y,
        reference_x=x(reference),
        bars=bars,
        description=description,
    )
