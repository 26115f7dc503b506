"""The journey funnel: how many customers reach each stage in order, the conversion from
one stage to the next with its interval, and the time it takes.

One Ibis expression (first time each customer reached each stage, then ordered counts), so
it runs on every engine like the metrics. A customer counts at a step only after reaching
every earlier step, each no later than the next, within the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import ibis
import ibis.expr.types as ir
from pydantic import BaseModel, Field

from cxloop.errors import ValidationFailed
from cxloop.insights.engines import Tables
from cxloop.insights.stats import wilson

MAX_STEPS = 12


class FunnelStep(BaseModel):
    stage: str
    customers: int = Field(description="Reached this stage after every earlier one.")
    conversion: float | None = Field(description="% of the previous step's customers.")
    low: float | None = Field(description="95% Wilson interval of the conversion.")
    high: float | None
    mean_hours: float | None = Field(description="Mean time from the previous step, hours.")


class Funnel(BaseModel):
    start: datetime
    end: datetime
    steps: list[FunnelStep]


def check_stages(stages: Sequence[str], known: Sequence[str]) -> list[str]:
    chosen = [s.strip() for s in stages if s.strip()] or list(known)
    if not 2 <= len(chosen) <= MAX_STEPS or len(set(chosen)) != len(chosen):
        raise ValidationFailed(f"a funnel takes 2 to {MAX_STEPS} different stages", field="stages")
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise ValidationFailed(
            f"unknown journey stage '{unknown[0]}'; use {', '.join(known)}", field="stages"
        )
    return chosen


def first_reached(
    tables: Tables, stages: Sequence[str], start: datetime, end: datetime
) -> ir.Table:
    """One row per customer: ``f0``, ``f1``... the first time in the window they were in
    each stage (null if never)."""
    t = tables.table("interactions")
    t = t.filter(
        t["at"] >= start.replace(tzinfo=None),
        t["at"] < end.replace(tzinfo=None),
        t["stage"].isin(list(stages)),
    )
    return t.group_by("customer_id").aggregate(
        **{
            f"f{i}": (t["stage"] == s).ifelse(t["at"], ibis.null()).min()
            for i, s in enumerate(stages)
        }
    )


def _seconds(moment: ir.TimestampValue) -> ir.IntegerValue:
    """Whole epoch seconds: DuckDB's are fractional for microsecond times, which its integer
    sum then refuses; truncating first gives every engine the same whole number."""
    return moment.truncate("s").epoch_seconds().cast("int64")


def funnel_expression(
    tables: Tables, stages: Sequence[str], start: datetime, end: datetime
) -> ir.Table:
    firsts = first_reached(tables, stages, start, end)
    reached: list[ir.BooleanValue] = []
    counts: dict[str, ir.Scalar] = {}
    for i in range(len(stages)):
        step = firsts[f"f{i}"].notnull()
        if i:
            step = reached[-1] & step & (firsts[f"f{i}"] >= firsts[f"f{i - 1}"])
            gap = _seconds(firsts[f"f{i}"]) - _seconds(firsts[f"f{i - 1}"])
            counts[f"s{i}"] = step.ifelse(gap, 0).sum()
        reached.append(step)
        counts[f"n{i}"] = step.ifelse(1, 0).sum()
    return firsts.aggregate(**counts)


def funnel(tables: Tables, stages: Sequence[str], start: datetime, end: datetime) -> Funnel:
    row = funnel_expression(tables, stages, start, end).to_pyarrow().to_pylist()[0]
    steps = []
    for i, stage in enumerate(stages):
        n = int(row[f"n{i}"] or 0)
        if i == 0:
            steps.append(
                FunnelStep(
                    stage=stage, customers=n, conversion=None, low=None, high=None, mean_hours=None
                )
            )
            continue
        before = steps[-1].customers
        e = wilson(n, before)
        seconds = int(row[f"s{i}"] or 0)
        steps.append(
            FunnelStep(
                stage=stage,
                customers=n,
                conversion=None if e.value is None else 100 * e.value,
                low=None if e.low is None else 100 * e.low,
                high=None if e.high is None else 100 * e.high,
                mean_hours=seconds / n / 3600 if n else None,
            )
        )
    return Funnel(start=start, end=end, steps=steps)
