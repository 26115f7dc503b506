"""One metric, one window, grouped and filtered: parse the request, run it, add statistics.

The window is compared with the one just before it of equal length. With a time grain in
``by`` the window is widened to whole days, weeks (from Monday) or months, so buckets never
straddle its edges, and each bucket is also compared with the bucket before it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import ibis.expr.types as ir

from cxloop.errors import ValidationFailed
from cxloop.insights.catalogue import Metric
from cxloop.insights.engines import BackendTables, Tables
from cxloop.insights.measures import Sums
from cxloop.insights.schemas import Change, Group, MetricRead, MetricResult, Value
from cxloop.insights.stats import CONFIDENCE

GRAINS = ("day", "week", "month")
_TRUNCATE = {"day": "D", "week": "W", "month": "M"}
ALPHA = 1 - CONFIDENCE
MAX_FILTER_VALUES = 50


@dataclass(frozen=True, slots=True)
class MetricQuery:
    metric: Metric
    dimensions: tuple[str, ...]
    grain: str | None
    filters: Mapping[str, tuple[str, ...]]
    start: datetime
    end: datetime

    @property
    def by(self) -> list[str]:
        return [*self.dimensions, *([self.grain] if self.grain else [])]

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal for queries that ask the engine the same thing (the filters' order aside)."""
        filters = tuple(sorted(self.filters.items()))
        return (self.metric, self.dimensions, self.grain, self.start, self.end, filters)

    @property
    def previous_start(self) -> datetime:
        if self.grain == "month":
            months = _month_index(self.end) - _month_index(self.start)
            return _add_months(self.start, -months)
        return self.start - (self.end - self.start)


def parse_query(
    metric: Metric,
    *,
    by: Iterable[str] = (),
    filters: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    default_days: int = 90,
) -> MetricQuery:
    """Check every name against the metric's dimensions; bad input names its problem."""
    dimensions: list[str] = []
    grain: str | None = None
    for name in (part.strip() for part in by if part.strip()):
        if name in GRAINS:
            if grain is not None:
                raise ValidationFailed("'by' takes at most one of day, week, month", field="by")
            grain = name
        elif name in metric.dimensions:
            if name in dimensions:
                raise ValidationFailed(f"'by' names '{name}' twice", field="by")
            dimensions.append(name)
        else:
            allowed = ", ".join((*metric.dimensions, *GRAINS))
            raise ValidationFailed(
                f"'{metric.name}' cannot be grouped by '{name}'; use {allowed}", field="by"
            )
    end = _utc(end, "to") if end else (now or datetime.now(UTC))
    start = _utc(start, "from") if start else end - timedelta(days=default_days)
    if start >= end:
        raise ValidationFailed("'from' must be before 'to'", field="from")
    if grain is not None:
        start, end = _floor(start, grain), _ceil(end, grain)
    return MetricQuery(
        metric=metric,
        dimensions=tuple(dimensions),
        grain=grain,
        filters=_parse_filters(metric, filters),
        start=start,
        end=end,
    )


def _parse_filters(metric: Metric, filters: Iterable[str]) -> dict[str, tuple[str, ...]]:
    parsed: dict[str, tuple[str, ...]] = {}
    for raw in filters:
        name, sep, values = raw.partition(":")
        name = name.strip()
        chosen = tuple(v.strip() for v in values.split("|") if v.strip())
        if not sep or not chosen:
            raise ValidationFailed(
                f"filter '{raw}' should read dimension:value (or value|value)", field="filter"
            )
        if name not in metric.dimensions:
            allowed = ", ".join(metric.dimensions)
            raise ValidationFailed(
                f"'{metric.name}' cannot be filtered by '{name}'; use {allowed}", field="filter"
            )
        if len(chosen) > MAX_FILTER_VALUES:
            raise ValidationFailed(f"filter '{name}' lists too many values", field="filter")
        parsed[name] = tuple(dict.fromkeys((*parsed.get(name, ()), *chosen)))
    return parsed


def _utc(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise ValidationFailed(f"'{field}' needs a time zone (e.g. 2026-01-01T00:00:00Z)")
    return moment.astimezone(UTC)


def _month_index(moment: datetime) -> int:
    return moment.year * 12 + moment.month - 1


def _add_months(moment: datetime, months: int) -> datetime:
    index = _month_index(moment) + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def _floor(moment: datetime, grain: str) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def _ceil(moment: datetime, grain: str) -> datetime:
    floor = _floor(moment, grain)
    if floor == moment:
        return moment
    return _step(floor, grain, 1)


def _step(moment: datetime, grain: str, count: int) -> datetime:
    if grain == "month":
        return _add_months(moment, count)
    return moment + timedelta(days=count * (7 if grain == "week" else 1))


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def expression(query: MetricQuery, tables: Tables) -> ir.Table:
    """The engine's whole job: sufficient statistics per group, period and time bucket.

    With a time grain the rows are first summed per calendar day, the day being a plain cast
    of the timestamp, and the days then summed into weeks or months: truncating every row's
    timestamp to its week costs the engine more than the rest of the aggregate (on DuckDB,
    10 million rows: ≈ 1.8 s against ≈ 1.3 s at the same load), while a cast to a date is
    cheap and the second sum reads only a few rows per group and day. The measures' fields
    are counts and sums, so summing them again changes nothing. Whether a row is in the
    current window follows from its bucket then (buckets never straddle the window's start).
    """
    metric = query.metric
    t = tables.table(metric.table)
    conditions = [
        metric.population(t),
        t[metric.time] >= _naive(query.previous_start),
        t[metric.time] < _naive(query.end),
        *(t[name].isin(list(values)) for name, values in query.filters.items()),
    ]
    t = t.filter(*conditions)
    keys: dict[str, ir.Value] = {name: t[name] for name in query.dimensions}
    aggregates = metric.measure.aggregates(t)
    if query.grain is None:
        keys["current"] = t[metric.time] >= _naive(query.start)
        return t.group_by(**keys).aggregate(**aggregates)
    daily = t.group_by(**keys, bucket=t[metric.time].date()).aggregate(**aggregates)
    start = _naive(query.start).date()
    if query.grain != "day":
        # through a timestamp, the one truncation every engine types alike (a date truncated
        # comes back as a timestamp on some)
        day = daily["bucket"].cast("timestamp")
        daily = daily.group_by(
            *query.dimensions, bucket=day.truncate(_TRUNCATE[query.grain]).date()
        ).aggregate(**{name: daily[name].sum() for name in aggregates})
    return daily.mutate(current=daily["bucket"] >= start)


GroupKey = tuple[Any, ...]


def run(query: MetricQuery, tables: Tables, *, min_n: int) -> MetricResult:
    return summarise(query, engine_rows(query, tables), min_n=min_n)


def engine_rows(query: MetricQuery, tables: Tables) -> list[dict[str, Any]]:
    """The expression's rows, compiled once per query where the tables can keep it."""
    if isinstance(tables, BackendTables):
        return tables.rows(query.key, lambda: expression(query, tables))
    return expression(query, tables).to_pyarrow().to_pylist()  # type: ignore[no-any-return]


def summarise(query: MetricQuery, rows: list[dict[str, Any]], *, min_n: int) -> MetricResult:
    """Turn the engine's rows into values, intervals and tested changes."""
    measure = query.metric.measure
    fields = measure.fields
    cells: dict[tuple[GroupKey, Any, bool], Sums] = {}
    totals: dict[bool, dict[str, int]] = {
        True: dict.fromkeys(fields, 0),
        False: dict.fromkeys(fields, 0),
    }
    for row in rows:
        dims = tuple(row[name] for name in query.dimensions)
        sums = {name: int(row[name] or 0) for name in fields}
        bucket = row.get("bucket")
        current = bool(row["current"])
        cells[(dims, bucket, current)] = sums
        for name in fields:
            totals[current][name] += sums[name]

    def group(key: dict[str, str | None], now: Sums, before: Sums | None) -> Group:
        current = _value(query.metric, now, min_n)
        change = _change(query.metric, now, current, before, min_n)
        return Group(key=key, current=current, change=change)

    groups: list[Group] = []
    for (dims, bucket, current), cell in sorted(cells.items(), key=_order):
        if not current or not query.by:  # ungrouped: the total says it all
            continue
        key: dict[str, str | None] = {
            name: _text(v) for name, v in zip(query.dimensions, dims, strict=True)
        }
        if query.grain is not None:
            assert isinstance(bucket, date)
            key[query.grain] = bucket.isoformat()
            before_bucket = _step(_as_datetime(bucket), query.grain, -1).date()
            before = cells.get((dims, before_bucket, True)) or cells.get(
                (dims, before_bucket, False)
            )
        else:
            before = cells.get((dims, None, False))
        groups.append(group(key, cell, before))
    return MetricResult(
        metric=describe(query.metric),
        start=query.start,
        end=query.end,
        previous_start=query.previous_start,
        by=query.by,
        filters={name: list(values) for name, values in query.filters.items()},
        confidence=CONFIDENCE,
        min_n=min_n,
        total=group({}, totals[True], totals[False]),
        groups=groups,
    )


def _order(item: tuple[tuple[GroupKey, Any, bool], Sums]) -> tuple[Any, ...]:
    (dims, bucket, _), _ = item
    return (tuple((v is None, str(v)) for v in dims), str(bucket))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _as_datetime(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _value(metric: Metric, sums: Sums, min_n: int) -> Value:
    n = sums["n"]
    if metric.measure.suppressible and n < min_n:
        return Value(n=n, value=None, low=None, high=None, suppressed=n > 0)
    e = metric.measure.estimate(sums)
    return Value(n=n, value=e.value, low=e.low, high=e.high, suppressed=False)


def _change(metric: Metric, now: Sums, current: Value, before: Sums | None, min_n: int) -> Change:
    """``current`` is ``now``'s value, already worked out for the group."""
    before = before or dict.fromkeys(metric.measure.fields, 0)
    previous = _value(metric, before, min_n)
    if current.value is None or previous.value is None:
        return Change(previous=previous, difference=None, p_value=None, significant=False)
    p = metric.measure.p_value(now, before)
    return Change(
        previous=previous,
        difference=current.value - previous.value,
        p_value=p,
        significant=p is not None and p < ALPHA,
    )


def describe(metric: Metric) -> MetricRead:
    return MetricRead(
        name=metric.name,
        title=metric.title,
        description=metric.description,
        table=metric.table,
        time=metric.time,
        kind=metric.measure.kind,
        formula=metric.measure.describe(),
        population=metric.population_text,
        unit=metric.unit,
        owner=metric.owner,
        version=metric.version,
        higher_is_better=metric.higher_is_better,
        dimensions=list(metric.dimensions),
    )
