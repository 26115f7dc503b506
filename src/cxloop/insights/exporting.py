"""A metric result as a flat table (one row per group, the total first), for CSV, JSONL,
Parquet and XLSX: the numbers a chart shows, in a file a spreadsheet or a notebook opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cxloop.insights.schemas import Group, MetricResult
from cxloop.store.tabular import Column, Format, write_rows

FIGURES = (
    Column("n", "int"),
    Column("value", "float"),
    Column("ci_low", "float"),
    Column("ci_high", "float"),
    Column("suppressed", "bool"),
    Column("previous_n", "int"),
    Column("previous_value", "float"),
    Column("difference", "float"),
    Column("p_value", "float"),
    Column("significant", "bool"),
)


def result_columns(result: MetricResult) -> list[Column]:
    return [Column("metric"), *(Column(name) for name in result.by), *FIGURES]


def _row(result: MetricResult, group: Group) -> dict[str, Any]:
    v, change = group.current, group.change
    return {
        "metric": result.metric.name,
        **{name: group.key.get(name, "(all)") for name in result.by},
        "n": v.n,
        "value": v.value,
        "ci_low": v.low,
        "ci_high": v.high,
        "suppressed": v.suppressed,
        "previous_n": change.previous.n,
        "previous_value": change.previous.value,
        "difference": change.difference,
        "p_value": change.p_value,
        "significant": change.significant,
    }


def result_rows(result: MetricResult) -> Iterator[dict[str, Any]]:
    yield _row(result, result.total)
    for group in result.groups:
        yield _row(result, group)


def write_result(result: MetricResult, path: Path, fmt: Format) -> int:
    return write_rows(path, fmt, result_columns(result), result_rows(result))
