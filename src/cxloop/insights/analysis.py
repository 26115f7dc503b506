"""Journey analytics and key drivers from the operational database, for the API and pages.

Each reads the analytic tables it needs (:class:`Sources`: interactions and responses)
through the caller's session, as the metrics do, and the customers' timelines once per call.
The pages pass the tables of the dashboard's snapshot instead, already materialised, so a
view does not extract them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from cxloop.insights.drivers import DriverMetric, Drivers, key_drivers
from cxloop.insights.engines import in_memory
from cxloop.insights.facts import extract
from cxloop.insights.journeys import Funnel, check_stages, funnel
from cxloop.insights.paths import (
    Outcome,
    PathBy,
    Paths,
    Precursors,
    StageTime,
    Switching,
    answer_units,
    channel_switching,
    common_paths,
    customer_units,
    precursors,
    stage_times,
)
from cxloop.insights.service import stage_keys
from cxloop.insights.timelines import (
    LOOKBACK,
    Timeline,
    known_responses,
    responses,
    timelines,
    traits,
)


@dataclass(frozen=True, slots=True)
class Sources:
    """The analytic tables journeys and drivers are computed from."""

    interactions: pa.Table
    responses: pa.Table


SOURCES = ("interactions", "responses")
"""The names of :class:`Sources`' tables, e.g. for ``Snapshot.read_tables``."""


def read_sources(session: Session) -> Sources:
    return Sources(extract(session, "interactions"), extract(session, "responses"))


def _read(
    session: Session, start: datetime, end: datetime, interactions: pa.Table | None = None
) -> tuple[pa.Table, dict[int, Timeline]]:
    """The interactions table once (unless given), and the timelines of the window and the
    month before it (what precedes the window's first answers)."""
    if interactions is None:
        interactions = extract(session, "interactions")
    since, until = (start - LOOKBACK).replace(tzinfo=None), end.replace(tzinfo=None)
    return interactions, timelines(session, interactions, since=since, until=until)


def journey_paths(
    session: Session, *, by: PathBy, start: datetime, end: datetime, min_n: int
) -> Paths:
    found = _read(session, start, end)[1].values()
    return common_paths(found, by=by, start=start, end=end, min_n=min_n)


def journey_stage_times(
    session: Session, *, stages: Sequence[str], start: datetime, end: datetime, min_n: int
) -> list[StageTime]:
    known = stage_keys(session)
    chosen = check_stages(stages, known)
    tables = in_memory({"interactions": extract(session, "interactions")})
    return stage_times(tables, chosen, start, end, min_n=min_n)


def journey_switching(session: Session, *, start: datetime, end: datetime, min_n: int) -> Switching:
    found = _read(session, start, end)[1].values()
    return channel_switching(found, start=start, end=end, min_n=min_n)


def journey_precursors(
    session: Session, *, outcome: Outcome, start: datetime, end: datetime, min_n: int
) -> Precursors:
    window = {"start": start, "end": end}
    found = _read(session, start, end)[1]
    if outcome == "detractor":
        units = answer_units(responses(session), found, **window)
    else:
        units = customer_units(found.values(), **window)
    return precursors(units, outcome=outcome, min_n=min_n, **window)


def drivers_of(
    session: Session,
    *,
    metric: DriverMetric,
    start: datetime,
    end: datetime,
    min_n: int,
    stage: str | None = None,
    sources: Sources | None = None,
) -> Drivers:
    """``sources``: the tables to read (default: extracted from the database now)."""
    answered = responses(session) if sources is None else known_responses(sources.responses)
    answers = [r for r in answered if stage is None or r["stage"] == stage]
    found = _read(session, start, end, sources.interactions if sources else None)[1]
    known = traits(session, (r["customer_id"] for r in answers))
    return key_drivers(answers, found, known, metric=metric, start=start, end=end, min_n=min_n)


class JourneyReport(BaseModel):
    """Every journey figure over one window, read from the database once (the journey page)."""

    funnel: Funnel
    stage_paths: Paths
    channel_paths: Paths
    stage_times: list[StageTime]
    switching: Switching
    detractors: Precursors
    terminations: Precursors


def journey_report(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    min_n: int,
    sources: Sources | None = None,
) -> JourneyReport:
    """``sources``: the tables to read (default: extracted from the database now)."""
    interactions, found = _read(session, start, end, sources.interactions if sources else None)
    answered = responses(session) if sources is None else known_responses(sources.responses)
    window = {"start": start, "end": end}
    tables = in_memory({"interactions": interactions})
    stages = stage_keys(session)
    return JourneyReport(
        funnel=funnel(tables, stages, start, end),
        stage_paths=common_paths(found.values(), by="stage", min_n=min_n, **window),
        channel_paths=common_paths(found.values(), by="channel", min_n=min_n, **window),
        stage_times=stage_times(tables, stages, start, end, min_n=min_n),
        switching=channel_switching(found.values(), min_n=min_n, **window),
        detractors=precursors(
            answer_units(answered, found, **window),
            outcome="detractor",
            min_n=min_n,
            **window,
        ),
        terminations=precursors(
            customer_units(found.values(), **window), outcome="termination", min_n=min_n, **window
        ),
    )
