"""The journey page's charts as tables of numbers, for its downloads: one row per bar or
dot, the interval and the counts behind each share, not the words beside them."""

from __future__ import annotations

from typing import Any

from cxloop.insights import Duration, JourneyReport, Paths, Precursors, Rate
from cxloop.store.tabular import Column
from cxloop.web.downloads import Table

ARROW = " → "
RATE = (
    Column("count", "int"),
    Column("n", "int"),
    Column("percent", "float"),
    Column("ci_low", "float"),
    Column("ci_high", "float"),
    Column("suppressed", "bool"),
)
DURATION = (
    Column("n", "int"),
    Column("median_hours", "float"),
    Column("ci_low", "float"),
    Column("ci_high", "float"),
    Column("suppressed", "bool"),
)
TABLES = (
    "funnel",
    "paths-stage",
    "paths-channel",
    "stage-times",
    "switching",
    "detractors",
    "terminations",
)


def _rate(r: Rate, prefix: str = "") -> dict[str, Any]:
    values = (r.count, r.n, r.value, r.low, r.high, r.suppressed)
    return {prefix + c.name: v for c, v in zip(RATE, values, strict=True)}


def _duration(d: Duration, prefix: str = "") -> dict[str, Any]:
    values = (d.n, d.median_hours, d.low, d.high, d.suppressed)
    return {prefix + c.name: v for c, v in zip(DURATION, values, strict=True)}


def _prefixed(columns: tuple[Column, ...], prefix: str) -> list[Column]:
    return [Column(prefix + c.name, c.kind) for c in columns]


def _paths(found: Paths) -> Table:
    return Table(
        columns=[Column("path"), *RATE],
        rows=[{"path": ARROW.join(p.steps), **_rate(p.customers)} for p in found.paths],
    )


def _precursors(found: Precursors) -> Table:
    return Table(
        columns=[
            Column("before"),
            Column("lift", "float"),
            Column("ci_low", "float"),
            Column("ci_high", "float"),
            Column("p_value", "float"),
            *_prefixed(RATE, "with_"),
            *_prefixed(RATE, "without_"),
        ],
        rows=[
            {
                "before": p.name,
                "lift": p.lift,
                "ci_low": p.low,
                "ci_high": p.high,
                "p_value": p.p_value,
                **_rate(p.exposed, "with_"),
                **_rate(p.unexposed, "without_"),
            }
            for p in found.precursors
        ],
    )


def journey_table(report: JourneyReport, name: str) -> Table:
    """The table ``name`` (one of :data:`TABLES`) of the journey page."""
    if name == "funnel":
        return Table(
            columns=[
                Column("stage"),
                Column("customers", "int"),
                Column("conversion_percent", "float"),
                Column("ci_low", "float"),
                Column("ci_high", "float"),
                Column("mean_hours", "float"),
            ],
            rows=[
                {
                    "stage": s.stage,
                    "customers": s.customers,
                    "conversion_percent": s.conversion,
                    "ci_low": s.low,
                    "ci_high": s.high,
                    "mean_hours": s.mean_hours,
                }
                for s in report.funnel.steps
            ],
        )
    if name in ("paths-stage", "paths-channel"):
        return _paths(report.stage_paths if name == "paths-stage" else report.channel_paths)
    if name == "stage-times":
        return Table(
            columns=[Column("from_stage"), Column("to_stage"), *DURATION],
            rows=[
                {"from_stage": t.from_stage, "to_stage": t.to_stage, **_duration(t.time)}
                for t in report.stage_times
            ],
        )
    if name == "switching":
        return Table(
            columns=[
                Column("self_service"),
                Column("help_channel"),
                *_prefixed(RATE, "visits_"),
                *_prefixed(DURATION, "time_"),
            ],
            rows=[
                {
                    "self_service": r.self_service,
                    "help_channel": r.help_channel,
                    **_rate(r.visits, "visits_"),
                    **_duration(r.time, "time_"),
                }
                for r in report.switching.rows
            ],
        )
    return _precursors(report.detractors if name == "detractors" else report.terminations)
