"""The analytic tables of closing the loop: one row per case, one per signal that needs a person.

Whether a deadline was met is decided here, from timestamps, once per extraction: it needs
the moment of reading (a deadline still ahead is neither met nor missed, so it stays out of
the population) and, for signals no case deadline covers, business-time arithmetic on a
department's calendar, which no engine can do. Every engine then sees plain booleans and
whole business minutes (stored on the case when each clock stopped), so the metrics read
the same on DuckDB, PostgreSQL, Spark and a Parquet lake.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa
from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.cases import ACTIVE_STATUSES, Case, CaseLink, CaseStatus, Directory
from cxloop.insights.columns import TIME, naive
from cxloop.interactions import Interaction
from cxloop.settings import Settings
from cxloop.types import utcnow
from cxloop.understanding import Enrichment

DETRACTOR_MAX = 6
"""NPS answers 0 to 6 are detractors."""
DETRACTOR, CHURN_THREAT = "detractor", "churn_threat"
IDS_AT_ONCE = 5_000
"""Interaction ids asked for in one statement (well under every database's limit)."""
SCHEMAS: dict[str, pa.Schema] = {
    "cases": pa.schema(
        [
            ("case_id", pa.int64()),
            ("department", pa.string()),
            ("priority", pa.string()),
            ("channel", pa.string()),
            ("origin", pa.string()),
            ("at", TIME),
            ("solved_at", TIME),
            ("first_response_minutes", pa.int64()),
            ("resolution_minutes", pa.int64()),
            ("first_response_met", pa.bool_()),
            ("resolution_met", pa.bool_()),
            ("reopened", pa.bool_()),
        ]
    ),
    "signals": pa.schema(
        [
            ("interaction_id", pa.int64()),
            ("signal", pa.string()),
            ("channel", pa.string()),
            ("stage", pa.string()),
            ("department", pa.string()),
            ("at", TIME),
            ("contacted", pa.bool_()),
        ]
    ),
}


@dataclass(frozen=True, slots=True)
class AsOf:
    """What case facts depend on besides the database: when they are read, the time zone of
    cases without a calendar, and how soon a signal no case deadline covers must be answered."""

    now: datetime
    default_timezone: str = "UTC"
    loop_target_hours: float = 48.0

    @classmethod
    def of(cls, settings: Settings, now: datetime | None = None) -> AsOf:
        return cls(
            now=now or utcnow(),
            default_timezone=settings.default_timezone,
            loop_target_hours=settings.loop_closure_target_hours,
        )


def _slugs(session: Session) -> dict[int, str]:
    return {did: slug for did, slug in session.execute(select(Department.id, Department.slug))}


class Clocks(Protocol):
    """A case's clocks as the metrics read them (a row of :data:`CLOCKS`, or a case)."""

    status: str
    merged_into_id: int | None
    first_response_due: datetime | None
    first_responded_at: datetime | None
    resolution_due: datetime | None
    paused_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int


CLOCKS = (
    Case.status,
    Case.merged_into_id,
    Case.first_response_due,
    Case.first_responded_at,
    Case.resolution_due,
    Case.paused_at,
    Case.solved_at,
    Case.closed_at,
    Case.reopen_count,
)


def first_response_met(case: Clocks, now: datetime) -> bool | None:
    """Answered by the deadline; False once it passed unanswered while the case was worked;
    None without a deadline, before it, or for a case that ended unanswered in time."""
    due = case.first_response_due
    if due is None or case.merged_into_id is not None:
        return None
    if case.first_responded_at is not None:
        return case.first_responded_at <= due
    worked_until = now
    if CaseStatus(case.status) not in ACTIVE_STATUSES:
        worked_until = min((t for t in (case.solved_at, case.closed_at) if t), default=now)
    return False if due < worked_until else None


def resolution_met(case: Clocks, now: datetime) -> bool | None:
    """Solved with the resolution clock stopped by the deadline (the clock stands still while
    waiting on the customer, and the deadline moved by every earlier pause); False once the
    clock ran past it unsolved; None without a deadline or before it."""
    due = case.resolution_due
    if due is None or case.merged_into_id is not None:
        return None
    stopped = case.paused_at or case.solved_at or now
    if case.solved_at is not None:
        return stopped <= due
    return False if stopped > due else None


def reopened(case: Clocks) -> bool | None:
    """Of cases solved (or closed) at least once: was one reopened? None for the others."""
    if case.merged_into_id is not None:
        return None
    if case.reopen_count > 0:
        return True
    return False if case.solved_at is not None else None


class Horizon:
    """The first moment after a reading at which time alone would change what was read: the
    nearest deadline still ahead on a running clock. Until then the rows stay exact, so a
    materialised copy need not be read again (see :mod:`cxloop.insights.snapshot`)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def note(self, moment: datetime | None) -> None:
        if moment is not None and (self.at is None or moment < self.at):
            self.at = moment


def changes_at(case: Clocks, now: datetime) -> datetime | None:
    """When time alone next changes :func:`first_response_met` or :func:`resolution_met`:
    a deadline not yet passed on a clock still running (None when only a write can)."""
    if case.merged_into_id is not None:
        return None
    ahead: list[datetime] = []
    frd = case.first_response_due
    running = CaseStatus(case.status) in ACTIVE_STATUSES
    if frd is not None and case.first_responded_at is None and running and frd >= now:
        ahead.append(frd)
    rd = case.resolution_due
    if rd is not None and case.solved_at is None and case.paused_at is None and rd >= now:
        ahead.append(rd)
    return min(ahead, default=None)


def case_rows(
    session: Session,
    as_of: AsOf,
    batch: int,
    horizon: Horizon | None = None,
    from_id: int = 0,
) -> Iterator[tuple[Any, ...]]:
    slugs = _slugs(session)
    stmt = (
        select(
            Case.id,
            Case.department_id,
            Case.priority,
            Case.channel,
            Case.origin,
            Case.created_at,
            Case.first_response_business_minutes,
            Case.resolution_business_minutes,
            *CLOCKS,
        )
        .where(Case.id >= from_id)
        .order_by(Case.id)
        .execution_options(yield_per=batch)
    )
    for case in session.execute(stmt):
        if horizon is not None:
            horizon.note(changes_at(case, as_of.now))
        yield (
            case.id,
            slugs.get(case.department_id or 0),
            case.priority,
            case.channel,
            case.origin,
            naive(case.created_at),
            naive(case.solved_at),
            case.first_response_business_minutes,
            case.resolution_business_minutes,
            first_response_met(case, as_of.now),
            resolution_met(case, as_of.now),
            reopened(case),
        )


@dataclass(frozen=True, slots=True)
class Caused:
    """What a case opened by a signal tells about answering it."""

    department_id: int | None
    created_at: datetime
    first_responded_at: datetime | None
    first_response_due: datetime | None


def _caused(session: Session) -> dict[int, list[Caused]]:
    """Cases by the interaction that caused them (a merge copies the cause to the survivor)."""
    rows = session.execute(
        select(
            CaseLink.interaction_id,
            Case.department_id,
            Case.created_at,
            Case.first_responded_at,
            Case.first_response_due,
        )
        .join(Case, Case.id == CaseLink.case_id)
        .where(CaseLink.role == "cause")
    )
    found: dict[int, list[Caused]] = defaultdict(list)
    for iid, department_id, created_at, responded_at, due in rows:
        found[iid].append(Caused(department_id, created_at, responded_at, due))
    return found


def _nps() -> Any:
    """A survey response's NPS (``properties.scores.nps``), else a tracked event's ``nps``."""
    return func.coalesce(
        Interaction.properties[("scores", "nps")].as_integer(),
        Interaction.properties["nps"].as_integer(),
    )


_COLUMNS = (
    Interaction.id,
    Interaction.channel,
    Interaction.stage,
    Interaction.occurred_at,
)


def _signalled(
    session: Session, batch: int, scope: ColumnElement[bool]
) -> Iterator[tuple[str, Any]]:
    """(signal, interaction row) for every detractor answer and every churn threat, of the
    interactions in ``scope``."""
    detractors = (
        select(*_COLUMNS)
        .where(_nps() <= DETRACTOR_MAX, scope)
        .order_by(Interaction.id)
        .execution_options(yield_per=batch)
    )
    for row in session.execute(detractors):
        yield DETRACTOR, row
    # JSON list membership is spelled differently on every database; its text is not.
    threats = (
        select(*_COLUMNS, Enrichment.signals)
        .join(Enrichment, Enrichment.interaction_id == Interaction.id)
        .where(
            cast(Enrichment.signals, String).like(f'%"{CHURN_THREAT}"%'),
            scope,
        )
        .order_by(Interaction.id)
        .execution_options(yield_per=batch)
    )
    for threat in session.execute(threats):
        if CHURN_THREAT in threat.signals:
            yield CHURN_THREAT, threat


def contacted(
    at: datetime,
    cases: list[Caused],
    directory: Directory,
    as_of: AsOf,
    horizon: Horizon | None = None,
) -> tuple[bool | None, int | None]:
    """Whether the customer was answered in time, and the department answering.

    The answer is the first response on any case the signal caused; the target is the
    earliest first-response deadline of those cases, else ``loop_target_hours`` business
    hours after the signal on the calendar of the department that has it (or the company's).
    None while the target is still ahead and nobody has answered (``horizon`` then notes it).
    """
    first = min(cases, key=lambda c: c.created_at, default=None)
    department_id = first.department_id if first is not None else None
    answers = [c.first_responded_at for c in cases if c.first_responded_at is not None]
    deadlines = [c.first_response_due for c in cases if c.first_response_due is not None]
    target = (
        min(deadlines)
        if deadlines
        else directory.calendar(department_id).add(at, as_of.loop_target_hours * 60)
    )
    answered = min(answers, default=None)
    if answered is not None:
        return answered <= target, department_id
    if target < as_of.now:
        return False, department_id
    if horizon is not None:
        horizon.note(target)
    return None, department_id


def signal_rows(
    session: Session,
    as_of: AsOf,
    batch: int,
    horizon: Horizon | None = None,
    from_id: int = 0,
    ids: Sequence[int] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """``from_id`` reads only the signals of interactions from that id on (new ones), ``ids``
    only those of these interactions (ones whose cases changed)."""
    slugs = _slugs(session)
    caused = _caused(session)
    directory = Directory(session, as_of.default_timezone)
    scopes = [Interaction.id >= from_id]
    if ids is not None:
        chunks = (ids[i : i + IDS_AT_ONCE] for i in range(0, len(ids), IDS_AT_ONCE))
        scopes = [scopes[0] & Interaction.id.in_(chunk) for chunk in chunks]
    signalled = (found for scope in scopes for found in _signalled(session, batch, scope))
    for signal, row in signalled:
        cases = caused.get(row.id, [])
        met, department_id = contacted(row.occurred_at, cases, directory, as_of, horizon)
        yield (
            row.id,
            signal,
            row.channel,
            row.stage,
            slugs.get(department_id or 0),
            naive(row.occurred_at),
            met,
        )
