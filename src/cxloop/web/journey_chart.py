"""Lay out the journey chart: stages over time, then channels used, as plain SVG geometry.

The chart is computed here and drawn by a template, so it needs no JavaScript and no
chart library, prints, and stays readable without colour: every bar carries a text label.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cxloop.interactions.schemas import JourneySummary

WIDTH = 760
LABEL_X = 10
PLOT_LEFT = 170
PLOT_RIGHT = 650
ROW_HEIGHT = 28
BAR_HEIGHT = 14
MIN_BAR = 4
TICKS = 4


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value_label: str
    x: float
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True, slots=True)
class ChartLayout:
    width: int
    height: int
    title: str
    description: str
    stage_heading_y: float
    stages: list[Row]
    axis_y: float
    ticks: list[Tick]
    channel_heading_y: float
    channels: list[Row]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _x(moment: datetime, start: datetime, span: float) -> float:
    if span <= 0:
        return float(PLOT_LEFT)
    offset = (moment - start).total_seconds() / span
    return PLOT_LEFT + offset * (PLOT_RIGHT - PLOT_LEFT)


def layout(summary: JourneySummary) -> ChartLayout | None:
    """The chart's geometry, or None when the customer has no interactions yet."""
    if not summary.total or summary.first_at is None or summary.last_at is None:
        return None
    start, end = summary.first_at, summary.last_at
    span = (end - start).total_seconds()

    y = 24.0
    stage_heading_y = y
    y += 12
    stages = []
    for stage in summary.stages:
        x0 = _x(stage.first_at, start, span)
        x1 = max(_x(stage.last_at, start, span), x0 + MIN_BAR)
        stages.append(
            Row(
                label=stage.name,
                value_label=_plural(stage.count, "interaction"),
                x=round(x0, 1),
                y=y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=round(x1 - x0, 1),
                text_y=y + ROW_HEIGHT / 2 + 4,
                value_x=round(x1 + 6, 1),
            )
        )
        y += ROW_HEIGHT
    axis_y = y + 4
    ticks = [
        Tick(
            x=round(PLOT_LEFT + i * (PLOT_RIGHT - PLOT_LEFT) / (TICKS - 1), 1),
            label=_tick_label(start, span, i),
        )
        for i in range(TICKS if span > 0 else 1)
    ]
    y = axis_y + 44
    channel_heading_y = y
    y += 12
    most = max(c.count for c in summary.channels)
    channels = []
    for channel in summary.channels:
        width = max(MIN_BAR, (PLOT_RIGHT - PLOT_LEFT - 40) * channel.count / most)
        share = round(100 * channel.count / summary.total)
        channels.append(
            Row(
                label=channel.name,
                value_label=f"{channel.count} ({share}%)",
                x=PLOT_LEFT,
                y=y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                width=round(width, 1),
                text_y=y + ROW_HEIGHT / 2 + 4,
                value_x=round(PLOT_LEFT + width + 6, 1),
            )
        )
        y += ROW_HEIGHT
    return ChartLayout(
        width=WIDTH,
        height=int(y + 10),
        title="Customer journey: stages over time and channels used",
        description=_describe(summary),
        stage_heading_y=stage_heading_y,
        stages=stages,
        axis_y=axis_y,
        ticks=ticks,
        channel_heading_y=channel_heading_y,
        channels=channels,
    )


def _tick_label(start: datetime, span: float, i: int) -> str:
    moment = start + timedelta(seconds=span * i / (TICKS - 1)) if span > 0 else start
    # A journey of a few days needs hours on its axis, or every tick reads the same date.
    return moment.strftime("%m-%d %H:%M" if span < 4 * 86400 else "%Y-%m-%d")


def _describe(summary: JourneySummary) -> str:
    """The chart in one paragraph, for screen readers and anyone who cannot see it."""
    assert summary.first_at is not None and summary.last_at is not None
    stages = ", ".join(
        f"{s.name} ({s.count}, {s.first_at:%Y-%m-%d} to {s.last_at:%Y-%m-%d})"
        for s in summary.stages
    )
    channels = ", ".join(f"{c.name} {c.count}" for c in summary.channels)
    return (
        f"{_plural(summary.total, 'interaction')} from {summary.first_at:%Y-%m-%d} "
        f"to {summary.last_at:%Y-%m-%d}. Stages: {stages}. Channels: {channels}."
    )
