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
