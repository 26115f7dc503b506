"""Lay out metric charts as plain SVG geometry: a weekly trend with its 95% band, and groups
compared side by side with their intervals (drawn by the one interval chart, as the journey,
drivers and experiment pages draw theirs).

Computed here and drawn by a template: no JavaScript, no inline style, printable, and
readable without colour (every point and interval also has its numbers in text and a table).
"""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.insights import Group, MetricRead, MetricResult, Value
from cxloop.web.interval_chart import IntervalChart, Item, Tick, interval_chart

WIDTH = 760
PLOT_LEFT = 60
PLOT_RIGHT = 740
PLOT_TOP = 20
PLOT_BOTTOM = 220
TREND_HEIGHT = 250


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    label: str
    low_y: float | None
    high_y: float | None


@dataclass(frozen=True, slots=True)
class Trend:
    width: int
    height: int
    left: int
    right: int
    points: list[Point]
    line: str
    band: str
    ticks: list[Tick]
    x_labels: list[Tick]
    description: str


DURATION = "business minutes"


def _number(value: float, unit: str) -> str:
    """A figure as people read it: durations in hours and minutes, the rest to one decimal."""
    if unit != DURATION:
        return f"{value:.1f}"
    hours, minutes = divmod(round(value), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def value_label(group: Group, unit: str) -> str:
    v = group.current
    if v.value is None:
        return f"n={v.n}, too few to show" if v.suppressed else "no answers"
    shown = _number(v.value, unit) if unit == DURATION else f"{_number(v.value, unit)} {unit}"
    if v.low is None or v.high is None:
        if unit != DURATION and v.value.is_integer():
            shown = f"{v.value:,.0f} {unit}"
        return f"{shown}, n={v.n}" if unit == DURATION else shown
    return f"{shown} (95% CI {_number(v.low, unit)} to {_number(v.high, unit)}), n={v.n}"


def short_label(group: Group, unit: str = "") -> str:
    """What fits beside a chart row or in a table cell: value, interval, n."""
    return value_text(group.current, unit)


def value_text(v: Value, unit: str = "") -> str:
    """A value, its interval and n, briefly."""
    if v.value is None:
        return f"n={v.n}, too few" if v.suppressed else "none"
    if v.low is None or v.high is None:
        return _number(v.value, unit) if unit == DURATION else f"{v.value:,.0f}"
    return f"{_number(v.value, unit)} ({_number(v.low, unit)} to {_number(v.high, unit)}), n={v.n}"


@dataclass(frozen=True, slots=True)
class Matrix:
    """Metrics side by side for each value of one dimension (a table, not a chart)."""

    dimension: str
    metrics: list[MetricRead]
    rows: list[tuple[str, list[str]]]


def department_table(results: list[MetricResult], dimension: str = "department") -> Matrix:
    """One row per department (cases without one last), one cell per metric."""
    found = {g.key[dimension] for r in results for g in r.groups}
    keys = sorted(found, key=lambda k: (k is None, k or ""))
    cells = [{g.key[dimension]: g for g in r.groups} for r in results]
    return Matrix(
        dimension=dimension,
        metrics=[r.metric for r in results],
        rows=[
            (
                key or f"no {dimension}",
                [
                    short_label(by_key[key], r.metric.unit) if key in by_key else "none"
                    for r, by_key in zip(results, cells, strict=True)
                ],
            )
            for key in keys
        ],
    )


def _range(groups: list[Group]) -> tuple[float, float]:
    values = [
        x for g in groups for x in (g.current.value, g.current.low, g.current.high) if x is not None
    ]
    if not values:
        return (0.0, 1.0)
    low, high = min(values), max(values)
    pad = max((high - low) * 0.1, 1.0)
    return (low - pad, high + pad)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = (high - low) / (count - 1)
    return [low + i * step for i in range(count)]


def trend(result: MetricResult) -> Trend | None:
    """One point per time bucket, the band joining the intervals; None without a point."""
    shown = [g for g in result.groups if g.current.value is not None]
    if not shown:
        return None
    low, high = _range(shown)
    span = PLOT_BOTTOM - PLOT_TOP

    def y(value: float) -> float:
        return round(PLOT_BOTTOM - (value - low) / (high - low) * span, 1)

    step = (PLOT_RIGHT - PLOT_LEFT) / max(len(result.groups) - 1, 1)
    grain = result.by[-1]
    points = []
    for index, group in enumerate(result.groups):
        v = group.current
        if v.value is None:
            continue
        points.append(
            Point(
                x=round(PLOT_LEFT + index * step, 1),
                y=y(v.value),
                label=f"{grain} of {group.key[grain]}: {value_label(group, result.metric.unit)}",
                low_y=y(v.low) if v.low is not None else None,
                high_y=y(v.high) if v.high is not None else None,
            )
        )
    banded = [p for p in points if p.low_y is not None and p.high_y is not None]
    band = (
        " ".join(f"{p.x},{p.high_y}" for p in banded)
        + " "
        + " ".join(f"{p.x},{p.low_y}" for p in reversed(banded))
    )
    labels = [
        Tick(position=round(PLOT_LEFT + i * step, 1), label=str(g.key[grain])[5:])
        for i, g in enumerate(result.groups)
    ]
    every = max(1, len(labels) // 8)
    return Trend(
        width=WIDTH,
        height=TREND_HEIGHT,
        left=PLOT_LEFT,
        right=PLOT_RIGHT,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        band=band.strip() if len(banded) > 1 else "",
        ticks=[Tick(position=y(t), label=f"{t:.0f}") for t in _ticks(low, high)],
        x_labels=labels[::every],
        description=f"{result.metric.title} by {grain} with its 95% confidence band; "
        "the table below lists every value.",
    )


def comparison(result: MetricResult, dimension: str) -> IntervalChart | None:
    """Each group's value as a dot with its interval as a whisker, on one shared axis."""
    unit = result.metric.unit
    return interval_chart(
        [
            Item(
                label=str(g.key[dimension] or "unknown"),
                value=g.current.value,
                low=g.current.low,
                high=g.current.high,
                text=short_label(g, unit),
            )
            for g in result.groups
        ],
        description=f"{result.metric.title} by {dimension}: each dot is the value, the line "
        "its 95% confidence interval.",
    )


def _change_text(group: Group, unit: str) -> str:
    c = group.change
    before = value_text(c.previous, unit)
    if c.difference is None or c.p_value is None:
        return f"{before}; no comparison"
    verdict = "significant" if c.significant else "within noise"
    return f"{before}; {c.difference:+.1f}, {verdict} (p = {c.p_value:.3f})"


def change_chart(comparisons: list[tuple[str, MetricResult]]) -> IntervalChart | None:
    """This period against the one before, in total and for each group of the first
    dimension compared: two rows each, "now" and "before", with their intervals, and in
    words the difference and whether it is significant."""
    if not comparisons:
        return None
    dimension, result = comparisons[0]
    unit = result.metric.unit
    items = []
    for group in [result.total, *result.groups]:
        name = str(group.key.get(dimension) or "all") if group.key else "all"
        now, before = group.current, group.change.previous
        items += [
            Item(f"{name}, now", now.value, now.low, now.high, short_label(group, unit)),
            Item(f"{name}, before", before.value, before.low, before.high,
                 _change_text(group, unit)),
        ]  # fmt: skip
    return interval_chart(
        items,
        description=f"{result.metric.title} this period and the one before, overall and by "
        f"{dimension}: each dot is the value, the line its 95% confidence interval; the words "
        "say the difference and whether it is more than noise.",
        label_width=200,
    )
