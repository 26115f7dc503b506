"""The counts beside the queue, and the short cache that keeps them cheap.

Counting is one grouped pass over the covering index ``ix_cases_counts``: linear in the open
cases in scope (about a microsecond a case), so with a hundred thousand open cases an admin's
counts alone would cost more than the page's whole budget. The page polls every ten seconds,
so a count taken a few seconds ago is as good as a new one *unless a case changed since*.
Each cached count therefore carries a token of the cases: the newest case id, the newest
``updated_at`` and the newest case event (three index seeks; every insert, every update and
every change a service makes moves one of them), and a count is reused only while the token
is the same and it is younger than :data:`FRESH_SECONDS`. A case change committed in this
process also drops every cached count at once (through :class:`CaseChanged`), so whoever
just changed a case sees it counted on their very next page even when another
transaction's update was newer. What the token cannot see is a case deleted (a customer
erased): such counts catch up within ``FRESH_SECONDS``.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from cxloop import bus
from cxloop.cases.events import CaseChanged
from cxloop.cases.models import Case, CaseEvent, CaseStatus
from cxloop.cases.queue_query import breached_at
from cxloop.cases.queues import ACTIVE, Scope, visible

FRESH_SECONDS = 10
"""How long a count may be reused when no case changed: the queue page's polling period."""
_MAX_ENTRIES = 1024


@dataclass
class Counts:
    """Active cases per view, as the side list shows them."""

    mine: int = 0
    unassigned: int = 0
    triage: int = 0
    breached: int = 0
    waiting: int = 0
    open: int = 0
    departments: dict[int, int] = field(default_factory=dict)

    def of(self, view: str) -> int:
        if view.startswith("department-"):
            return self.departments.get(int(view.removeprefix("department-")), 0)
        value: int = getattr(self, view)
        return value


@dataclass(frozen=True, slots=True)
class _Taken:
    counts: Counts
    token: tuple[Any, ...]
    at: datetime


_cache: dict[tuple[Any, ...], _Taken] = {}
_lock = threading.Lock()


def forget_counts(_event: object = None) -> None:
    """Drop every cached count (a case changed in this process)."""
    with _lock:
        _cache.clear()


bus.subscribe(CaseChanged, forget_counts)


def queue_counts(session: Session, scope: Scope, *, now: datetime) -> Counts:
    """Every view's count for ``scope``: reused from a few seconds ago when no case changed
    since, else counted afresh (:func:`count_cases`)."""
    bind = session.get_bind()
    key = (str(bind.engine.url), scope)
    token = _token(session)
    with _lock:
        taken = _cache.get(key)
    if (
        taken is not None
        and taken.token == token
        and timedelta(0) <= now - taken.at < timedelta(seconds=FRESH_SECONDS)
    ):
        return taken.counts
    counts = count_cases(session, scope, now=now)
    with _lock:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        _cache[key] = _Taken(counts=counts, token=token, at=now)
    return counts


def _token(session: Session) -> tuple[Any, ...]:
    """Changes whenever a case is added or updated: the newest case, the newest update (a
    Core update stamps the wall clock) and the newest case event (a service may date a change
    in the past, but records an event for it). Single-aggregate subqueries, so each database
    answers from the end of an index."""
    row = session.execute(
        select(
            select(func.max(Case.id)).scalar_subquery(),
            select(func.max(Case.updated_at)).scalar_subquery(),
            select(func.max(CaseEvent.id)).scalar_subquery(),
        )
    ).one()
    return tuple(row)


def count_cases(session: Session, scope: Scope, *, now: datetime) -> Counts:
    """Every view's count in one grouped pass over the active cases in scope, read from the
    covering index ``ix_cases_counts`` alone (never the table)."""
    result = Counts()
    per_department: Counter[int] = Counter()
    own = scope.department_ids
    rows = session.execute(
        select(
            Case.department_id,
            Case.status,
            func.count(),
            _tally(Case.assignee_id.is_(None)),
            _tally(Case.assignee_id == scope.user_id),
            _tally(breached_at(now)),
        )
        .where(Case.status.in_(ACTIVE), visible(scope))
        .group_by(Case.status, Case.department_id)
    )
    for department_id, status, total, unassigned, mine, breached in rows:
        result.open += total
        result.mine += mine or 0
        result.breached += breached or 0
        if status == CaseStatus.waiting:
            result.waiting += total
        if department_id is None:
            result.triage += total
            continue
        per_department[department_id] += total
        if not own or department_id in own:
            result.unassigned += unassigned or 0
    result.departments = dict(per_department)
    return result


def _tally(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet ``condition``, on every database."""
    return func.sum(case((condition, 1), else_=0))
