"""The kinds of measure a metric can be, each as engine aggregates plus its statistics.

A measure asks an engine only for whole-number counts and sums (identical on DuckDB,
PostgreSQL and Spark, and additive, so groups and periods combine without another query),
then turns them into a value with a 95% interval and tests a change between two of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import ibis.expr.types as ir

from cxloop.insights.stats import (
    EMPTY,
    Estimate,
    Moments,
    median_ranks,
    net_score,
    net_score_p,
    poisson_p,
    t_interval,
    two_proportion_p,
    welch_p,
    wilson,
)

Sums = Mapping[str, int]


class Measure(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def fields(self) -> tuple[str, ...]: ...

    @property
    def suppressible(self) -> bool: ...

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]: ...

    def estimate(self, sums: Sums) -> Estimate: ...

    def p_value(self, current: Sums, previous: Sums) -> float | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, slots=True)
class NetScore:
    """% top scores minus % bottom scores (NPS), shown on -100..100."""

    column: str
    top: int
    bottom: int
    kind: str = "net_score"
    fields: tuple[str, ...] = ("n", "top", "bottom")
    suppressible: bool = True

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]:
        value = table[self.column]
        return {
            "n": value.count(),
            "top": (value >= self.top).ifelse(1, 0).sum(),
            "bottom": (value <= self.bottom).ifelse(1, 0).sum(),
        }

    def estimate(self, sums: Sums) -> Estimate:
        e = net_score(sums["top"], sums["bottom"], sums["n"])
        return _scaled(e, 100)

    def p_value(self, current: Sums, previous: Sums) -> float | None:
        return net_score_p(_triple(current), _triple(previous))

    def describe(self) -> str:
        return (
            f"100 * (count({self.column} >= {self.top}) - count({self.column} <= {self.bottom}))"
            f" / count({self.column})"
        )


def _triple(sums: Sums) -> tuple[int, int, int]:
    return (sums["top"], sums["bottom"], sums["n"])


@dataclass(frozen=True, slots=True)
class Share:
    """The percentage of the population meeting a condition (Wilson interval)."""

    column: str
    at_least: int | None = None
    kind: str = "proportion"
    fields: tuple[str, ...] = ("n", "hits")
    suppressible: bool = True

    def _hit(self, table: ir.Table) -> ir.BooleanValue:
        value = table[self.column]
        return value >= self.at_least if self.at_least is not None else value

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]:
        return {
            "n": table[self.column].count(),
            "hits": self._hit(table).ifelse(1, 0).sum(),
        }

    def estimate(self, sums: Sums) -> Estimate:
        return _scaled(wilson(sums["hits"], sums["n"]), 100)

    def p_value(self, current: Sums, previous: Sums) -> float | None:
        return two_proportion_p(current["hits"], current["n"], previous["hits"], previous["n"])

    def describe(self) -> str:
        hit = f"{self.column} >= {self.at_least}" if self.at_least is not None else self.column
        return f"100 * count({hit}) / count({self.column})"


@dataclass(frozen=True, slots=True)
class Mean:
    """An average with Student's t interval; ``divisor`` rescales a whole-number total."""

    column: str
    divisor: int = 1
    kind: str = "mean"
    fields: tuple[str, ...] = ("n", "total", "total_sq")
    suppressible: bool = True

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]:
        value = table[self.column].cast("int64")
        return {
            "n": value.count(),
            "total": value.sum(),
            "total_sq": (value * value).sum(),
        }

    def _moments(self, sums: Sums) -> Moments:
        d = self.divisor
        return Moments(n=sums["n"], total=sums["total"] / d, total_sq=sums["total_sq"] / (d * d))

    def estimate(self, sums: Sums) -> Estimate:
        return t_interval(self._moments(sums))

    def p_value(self, current: Sums, previous: Sums) -> float | None:
        return welch_p(self._moments(current), self._moments(previous))

    def describe(self) -> str:
        scaled = f"{self.column} / {self.divisor}" if self.divisor != 1 else self.column
        return f"mean({scaled})"


MINUTE_STEPS: tuple[int, ...] = (
    *range(0, 10),
    *range(10, 60, 5),
    *range(60, 120, 10),
    *range(120, 240, 15),
    *range(240, 480, 30),
    *range(480, 960, 60),
    *range(960, 2880, 120),
    *range(2880, 9600, 480),
    *range(9600, 28800, 2400),
    *range(28800, 57601, 4800),
)
"""Business minutes a duration is rounded up to: every minute to 10, then coarser steps of
at most about a tenth of the value, up to 120 eight-hour business days."""


@dataclass(frozen=True, slots=True)
class Median:
    """The median with a distribution-free interval (order statistics), from counts alone.

    Each value is rounded up to the next of ``steps``; the engine counts how many fall at or
    below each step, which is exact on every engine and adds up across groups and periods like
    every other measure. The median is the first step by which half the values had come, the
    interval the steps of the order statistics :func:`median_ranks` names; a change is tested
    by Mood's median test (the share at or below the two periods' pooled median). A rank past
    the last step has no value.
    """

    column: str
    steps: tuple[int, ...] = MINUTE_STEPS
    kind: str = "median"
    suppressible: bool = True

    @property
    def fields(self) -> tuple[str, ...]:
        return ("n", *(f"le_{step}" for step in self.steps))

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]:
        value = table[self.column]
        found: dict[str, ir.Scalar] = {"n": value.count()}
        for step in self.steps:
            found[f"le_{step}"] = (value <= step).ifelse(1, 0).sum()
        return found

    def _at_rank(self, sums: Sums, rank: int) -> int | None:
        return next((s for s in self.steps if sums[f"le_{s}"] >= rank), None)

    def _median(self, sums: Sums) -> int | None:
        return self._at_rank(sums, -(-sums["n"] // 2))

    def estimate(self, sums: Sums) -> Estimate:
        n = sums["n"]
        if n == 0:
            return EMPTY
        value = self._median(sums)
        ranks = median_ranks(n)
        if value is None or ranks is None:
            return Estimate(value=value, low=None, high=None)
        low, high = (self._at_rank(sums, rank) for rank in ranks)
        return Estimate(value=value, low=low, high=high)

    def p_value(self, current: Sums, previous: Sums) -> float | None:
        pooled = self._median({k: current[k] + previous[k] for k in self.fields})
        if pooled is None:
            return None
        key = f"le_{pooled}"
        return two_proportion_p(current[key], current["n"], previous[key], previous["n"])

    def describe(self) -> str:
        return (
            f"median({self.column}), each value rounded up to the next of {len(self.steps)} "
            f"steps from {self.steps[0]} to {self.steps[-1]}"
        )


@dataclass(frozen=True, slots=True)
class Count:
    """How many rows: no interval; a change is tested as two Poisson counts."""

    kind: str = "count"
    fields: tuple[str, ...] = ("n",)
    suppressible: bool = False  # a count is exact: nothing to hide behind a minimum n

    def aggregates(self, table: ir.Table) -> dict[str, ir.Scalar]:
        return {"n": table.count()}

    def estimate(self, sums: Sums) -> Estimate:
        return Estimate(value=float(sums["n"]), low=None, high=None)

    def p_value(self, current: Sums, previous: Sums) -> float | None:
        return poisson_p(current["n"], previous["n"])

    def describe(self) -> str:
        return "count(*)"


def _scaled(e: Estimate, factor: float) -> Estimate:
    if e.value is None:
        return EMPTY
    return Estimate(
        value=e.value * factor,
        low=e.low * factor if e.low is not None else None,
        high=e.high * factor if e.high is not None else None,
    )
