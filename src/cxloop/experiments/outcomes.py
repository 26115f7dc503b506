"""Each exposed customer's value of a catalogue metric, over their own window.

The metric's definition (table, population, measure) comes from the insights catalogue
unchanged; only the grouping differs: per customer and per window around that customer's
exposure, instead of per period. The measure's own aggregates are summed per customer and its
own estimate turns them into the customer's value, so an experiment's NPS is the catalogue's
NPS: a customer who answered 10 counts 100, one who answered 5 counts -100, averaged over a
customer's answers. Counts (interaction volume) give every customer a value, zero when
nothing happened; the others only customers who answered in the window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.insights import SCHEMAS, Metric, extract, in_memory

AT = "at"
"""Survey responses and interactions, the tables that belong to a customer, are placed in time
by when they happened."""
EXPOSURE_TYPE = "Experiment Exposure"
PER_CUSTOMER = ("count", "net_score", "proportion", "mean")
"""Measures whose value for one customer averages into the metric's value for an arm."""
Period = str  # "pre" (the window before exposure) or "post"
_WINDOWS = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("period", pa.string()),
        ("since", pa.timestamp("us")),
        ("until", pa.timestamp("us")),
    ]
)


@dataclass(frozen=True, slots=True)
class Window:
    customer_id: int
    period: Period
    since: datetime
    until: datetime


def check_metric(metric: Metric, *, binary: bool) -> None:
    """Refuse, with the reason, a metric that has no value per customer."""
    if "customer_id" not in SCHEMAS[metric.table].names:
        raise ValidationFailed(
            f"'{metric.name}' is measured over {metric.table}, which are not one customer's; "
            "an experiment on customers needs a metric of survey responses or interactions "
            "(nps, csat, ces, cx_index, volume...)",
            field="metric",
        )
    if metric.measure.kind not in PER_CUSTOMER:
        raise ValidationFailed(
            f"'{metric.name}' is a {metric.measure.kind}, which has no per-customer value that "
            "averages into the arm's value",
            field="metric",
        )
    if binary and metric.measure.kind != "count":
        raise ValidationFailed(
            f"'binary' (did it happen at all) applies to counts; '{metric.name}' is a "
            f"{metric.measure.kind}",
            field="binary",
        )


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def outcomes(
    session: Session,
    metric: Metric,
    windows: Sequence[Window],
    *,
    filters: Mapping[str, tuple[str, ...]],
    binary: bool,
) -> dict[Period, dict[int, float]]:
    """Per period, each customer's value (customers without one are absent)."""
    found: dict[Period, dict[int, float]] = {w.period: {} for w in windows}
    if not windows:
        return found
    frame = pa.Table.from_pylist(
        [
            {
                "customer_id": w.customer_id,
                "period": w.period,
                "since": _naive(w.since),
                "until": _naive(w.until),
            }
            for w in windows
        ],
        schema=_WINDOWS,
    )
    tables = in_memory({metric.table: extract(session, metric.table), "windows": frame})
    t = tables.table(metric.table)
    conditions = [metric.population(t), *(t[n].isin(list(v)) for n, v in filters.items())]
    if "type" in t.columns:  # the exposure itself is no outcome of the arm
        conditions.append(t["type"] != EXPOSURE_TYPE)
    rows = t.filter(*conditions).join(tables.table("windows"), "customer_id")
    rows = rows.filter(rows[AT] >= rows["since"], rows[AT] < rows["until"])
    measure = metric.measure
    sums = rows.group_by("customer_id", "period").aggregate(**measure.aggregates(rows))
    counting = measure.kind == "count"
    if counting:
        for w in windows:
            found[w.period][w.customer_id] = 0.0
    for row in sums.to_pyarrow().to_pylist():
        totals = {name: int(row[name] or 0) for name in measure.fields}
        if counting and binary:
            value: float | None = 100.0 if totals["n"] > 0 else 0.0
        else:
            value = measure.estimate(totals).value
        if value is not None:
            found[row["period"]][row["customer_id"]] = float(value)
    return found
