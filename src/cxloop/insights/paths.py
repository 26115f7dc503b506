"""Journey figures beyond the funnel: the commonest paths, time between stages, failed
self-service, and what comes before detractors and departures.

Every share has its 95% Wilson interval, every median its distribution-free interval and
every lift its Katz interval, and each is suppressed below the minimum n like the metrics.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from cxloop.insights.case_facts import DETRACTOR_MAX
from cxloop.insights.engines import Tables
from cxloop.insights.journeys import first_reached
from cxloop.insights.stats import median_ranks, risk_ratio, two_proportion_p, wilson
from cxloop.insights.switching import SELF_SERVICE, switches, tried_self_service
from cxloop.insights.timelines import Timeline, Touch, preceding

MAX_STEPS = 4
"""A path is its first four steps; longer ones end in "…"."""
MORE = "…"
TOP = 10
TERMINATION = "termination"
"""The built-in journey stage of leaving: a customer's first interaction in it is when they
started to go."""
PathBy = Literal["stage", "channel"]
Outcome = Literal["detractor", "termination"]


class Rate(BaseModel):
    """A percentage with its 95% Wilson interval; null below the minimum n."""

    count: int
    n: int
    value: float | None
    low: float | None
    high: float | None
    suppressed: bool


def rate(count: int, n: int, min_n: int) -> Rate:
    if n < min_n:
        return Rate(count=count, n=n, value=None, low=None, high=None, suppressed=n > 0)
    e = wilson(count, n)
    return Rate(
        count=count,
        n=n,
        value=None if e.value is None else 100 * e.value,
        low=None if e.low is None else 100 * e.low,
        high=None if e.high is None else 100 * e.high,
        suppressed=False,
    )


class Duration(BaseModel):
    """A median in hours with its distribution-free 95% interval (none below six values)."""

    n: int
    median_hours: float | None
    low: float | None
    high: float | None
    suppressed: bool


def duration(seconds: Iterable[float], min_n: int) -> Duration:
    ordered = sorted(seconds)
    n = len(ordered)
    if n == 0 or n < min_n:
        return Duration(n=n, median_hours=None, low=None, high=None, suppressed=n > 0)
    ranks = median_ranks(n)
    return Duration(
        n=n,
        median_hours=ordered[(n - 1) // 2] / 3600,
        low=None if ranks is None else ordered[ranks[0] - 1] / 3600,
        high=None if ranks is None else ordered[ranks[1] - 1] / 3600,
        suppressed=False,
    )


class PathRow(BaseModel):
    steps: list[str] = Field(description="Stages or channels in order; '…' if more followed.")
    customers: Rate


class Paths(BaseModel):
    by: PathBy
    start: datetime
    end: datetime
    customers: int = Field(description="Customers who reached out at least once.")
    paths: list[PathRow]


def _collapsed(values: Iterable[str | None]) -> tuple[str, ...]:
    steps: list[str] = []
    for value in values:
        if value is not None and (not steps or steps[-1] != value):
            steps.append(value)
            if len(steps) > MAX_STEPS:
                return (*steps[:MAX_STEPS], MORE)
    return tuple(steps)


def _within(timeline: Timeline, start: datetime, end: datetime) -> list[Touch]:
    """Touches in [start, end), the window given in UTC."""
    return timeline.between(start.replace(tzinfo=None), end.replace(tzinfo=None), inclusive=False)


def common_paths(
    timelines: Iterable[Timeline],
    *,
    by: PathBy,
    start: datetime,
    end: datetime,
    min_n: int,
) -> Paths:
    """Each customer's path through the window: the stages (or channels) of what they did,
    in time order, a repeat of the same step counted once; the commonest paths first."""
    counts: Counter[tuple[str, ...]] = Counter()
    for timeline in timelines:
        touches = [t for t in _within(timeline, start, end) if t.direction == "in"]
        path = _collapsed(t.stage if by == "stage" else t.channel for t in touches)
        if path:
            counts[path] += 1
    total = sum(counts.values())
    return Paths(
        by=by,
        start=start,
        end=end,
        customers=total,
        paths=[
            PathRow(steps=list(steps), customers=rate(count, total, min_n))
            for steps, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        ],
    )


class StageTime(BaseModel):
    from_stage: str
    to_stage: str
    time: Duration = Field(description="Customers who reached the second stage after the first.")


def stage_times(
    tables: Tables, stages: Sequence[str], start: datetime, end: datetime, *, min_n: int
) -> list[StageTime]:
    """The time from a customer's first interaction in each stage to their first in the next
    stage (of those who reached the next one later), as a median with its interval."""
    rows = first_reached(tables, stages, start, end).to_pyarrow().to_pylist()
    gaps: defaultdict[int, list[float]] = defaultdict(list)
    for row in rows:
        for i in range(1, len(stages)):
            before, after = row[f"f{i - 1}"], row[f"f{i}"]
            if before is not None and after is not None and after >= before:
                gaps[i].append((after - before).total_seconds())
    return [
        StageTime(from_stage=stages[i - 1], to_stage=stages[i], time=duration(gaps[i], min_n))
        for i in range(1, len(stages))
    ]


class SwitchRow(BaseModel):
    self_service: str = Field(description="Where the customer tried: web or app.")
    help_channel: str = Field(description="Where they asked for help next: phone or chat.")
    visits: Rate = Field(description="Of the visits on that self-service channel.")
    time: Duration


class Switching(BaseModel):
    start: datetime
    end: datetime
    total: Rate = Field(description="Self-service visits followed by a call or chat.")
    time: Duration
    rows: list[SwitchRow]


def channel_switching(
    timelines: Iterable[Timeline], *, start: datetime, end: datetime, min_n: int
) -> Switching:
    """Failed self-service as a share of self-service visits, by where the customer tried and
    where they turned for help, with the median time between the two."""
    visits: Counter[str] = Counter()
    found: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
    for timeline in timelines:
        touches = _within(timeline, start, end)
        visits.update(t.channel for t in touches if tried_self_service(t))
        for visit, helped in switches(touches):
            found[visit.channel, helped.channel].append((helped.at - visit.at).total_seconds())
    every = [s for gaps in found.values() for s in gaps]
    return Switching(
        start=start,
        end=end,
        total=rate(len(every), sum(visits.values()), min_n),
        time=duration(every, min_n),
        rows=[
            SwitchRow(
                self_service=tried,
                help_channel=helped,
                visits=rate(len(gaps), visits[tried], min_n),
                time=duration(gaps, min_n),
            )
            for (tried, helped), gaps in sorted(found.items(), key=lambda kv: -len(kv[1]))
            if tried in SELF_SERVICE
        ],
    )


@dataclass(frozen=True, slots=True)
class Unit:
    """One answer (or one customer): when it happened, whether it is the outcome, and what
    the customer did before it."""

    moment: datetime
    outcome: bool
    before: frozenset[str]


class Precursor(BaseModel):
    name: str = Field(description="'touchpoint: T', 'contacted on: C' or 'topic: P'.")
    exposed: Rate = Field(description="Outcome rate among units that had it before.")
    unexposed: Rate = Field(description="Outcome rate among those that did not.")
    lift: float | None = Field(description="exposed rate / unexposed rate")
    low: float | None = Field(description="95% Katz interval of the lift.")
    high: float | None
    p_value: float | None


class Precursors(BaseModel):
    outcome: Outcome
    start: datetime
    end: datetime
    overall: Rate = Field(description="Outcome rate over every unit.")
    precursors: list[Precursor] = Field(description="Highest lift first.")
    too_few: int = Field(description="Candidates left out: fewer than min n with or without.")


def precursors(
    units: Sequence[Unit], *, outcome: Outcome, start: datetime, end: datetime, min_n: int
) -> Precursors:
    """For each touchpoint, channel and topic: how much likelier the outcome is after it than
    without it (the lift), with its interval; only those with min n units each way."""
    total, hits = len(units), sum(u.outcome for u in units)
    with_it: Counter[str] = Counter()
    hits_with: Counter[str] = Counter()
    for unit in units:
        with_it.update(unit.before)
        if unit.outcome:
            hits_with.update(unit.before)
    found, too_few = [], 0
    for name, n1 in with_it.items():
        a, n0 = hits_with[name], total - n1
        if n1 < min_n or n0 < min_n:
            too_few += 1
            continue
        ratio = risk_ratio((a, n1), (hits - a, n0))
        found.append(
            Precursor(
                name=name,
                exposed=rate(a, n1, min_n),
                unexposed=rate(hits - a, n0, min_n),
                lift=ratio.value,
                low=ratio.low,
                high=ratio.high,
                p_value=two_proportion_p(a, n1, hits - a, n0),
            )
        )
    found.sort(key=lambda p: (-(p.low or 0.0), -(p.lift or 0.0), p.name))
    return Precursors(
        outcome=outcome,
        start=start,
        end=end,
        overall=rate(hits, total, min_n),
        precursors=found[:TOP],
        too_few=too_few,
    )


def answer_units(
    answers: Iterable[dict[str, object]],
    timelines: dict[int, Timeline],
    *,
    start: datetime,
    end: datetime,
) -> list[Unit]:
    """Each NPS answer in the window; the outcome is a detractor (0 to 6)."""
    units = []
    low, high = start.replace(tzinfo=None), end.replace(tzinfo=None)
    for row in answers:
        at, score, cid = row["at"], row["nps"], row["customer_id"]
        if not isinstance(at, datetime) or not isinstance(score, int) or not low <= at < high:
            continue
        timeline = timelines.get(cid) if isinstance(cid, int) else None
        units.append(Unit(at, score <= DETRACTOR_MAX, frozenset(preceding(timeline, at))))
    return units


def customer_units(timelines: Iterable[Timeline], *, start: datetime, end: datetime) -> list[Unit]:
    """Each customer active in the window: the outcome is starting to leave (a first
    interaction in the termination stage), seen from just before it; a customer who stayed
    is seen from their last interaction, so both look back over a month of activity."""
    units = []
    for timeline in timelines:
        touches = _within(timeline, start, end)
        if not touches:
            continue
        left = next((t.at for t in touches if t.stage == TERMINATION), None)
        moment = left or touches[-1].at
        before = frozenset(
            preceding(timeline, moment, inclusive=left is None, skip_stage=TERMINATION)
        )
        units.append(Unit(moment, left is not None, before))
    return units
