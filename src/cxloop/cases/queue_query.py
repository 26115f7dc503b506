"""The SQL of a queue page: a merge of already ordered index ranges, built once per shape.

A queue over several departments and statuses is the merge of one short range of
``ix_cases_queue`` (department, status, deadline, id) per (department, status) pair: an
admin's queue over ten departments and triage is 44 of them. Building that expression and
its cache key costs more than running it, so the statement is built once per *shape* (how
many ranges, which of them triage, which filters, which phase of the cursor) with every
value a bound parameter, and each request only binds its values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from cxloop.cases.models import Case

FILTERS = ("queue", "assignee", "unassigned", "priority", "tag", "breached")
"""The narrowing a queue can add to its index ranges, each bound as ``:name``."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What one queue read binds: the ranges, or one person's cases, and the filter values."""

    ranges: tuple[tuple[int | None, str], ...] = ()
    """(department, status) index ranges to merge; department None is triage."""
    person_departments: tuple[int | None, ...] = ()
    """When reading one person's cases (through the assignee index): the departments."""
    person_statuses: tuple[str, ...] = ()
    filters: tuple[tuple[str, Any], ...] = ()
    """(name, value) for the names in :data:`FILTERS` that apply."""

    @property
    def empty(self) -> bool:
        return not self.ranges and not self.person_departments


def ordered_ids(
    session: Session,
    reading: Reading,
    after: list[Any] | None,
    limit: int,
    *,
    deadline: bool,
) -> list[tuple[int, datetime | None]]:
    """Ids (and deadlines) of the first ``limit`` cases in queue order after ``after``: with
    a deadline (soonest first), or the phase after them, without one (oldest first)."""
    if reading.empty:
        return []
    names = tuple(name for name, _ in reading.filters)
    values: dict[str, Any] = {"limit": limit, **dict(reading.filters)}
    if "tag" in values and session.get_bind().dialect.name == "postgresql":
        values["tag"] = [values["tag"]]
    if reading.ranges:
        triage = tuple(department is None for department, _ in reading.ranges)
        for i, (department, status) in enumerate(reading.ranges):
            values[f"s{i}"] = status
            if department is not None:
                values[f"d{i}"] = department
        person: tuple[bool, bool] | None = None
    else:
        named = [d for d in reading.person_departments if d is not None]
        person = (bool(named), None in reading.person_departments)
        triage = ()
        values["departments"], values["statuses"] = named, list(reading.person_statuses)
    if after is not None:
        if deadline:
            values["after_due"], values["after_id"] = after
        else:
            values["after_id"] = after[0]
    statement = _statement(
        triage,
        person,
        names,
        deadline,
        after is not None,
        session.get_bind().dialect.name,
    )
    rows = session.execute(statement, values)
    return [(int(r.id), r.resolution_due) for r in rows]


@lru_cache(maxsize=256)
def _statement(
    triage: tuple[bool, ...],
    person: tuple[bool, bool] | None,
    names: tuple[str, ...],
    deadline: bool,
    after: bool,
    dialect: str,
) -> Select[Any]:
    """The merged read for one shape, every value a bound parameter."""
    limit = bindparam("limit", type_=Integer)
    base = [*_filters(names, dialect)]
    if deadline:
        keys: tuple[Any, ...] = (Case.resolution_due, Case.id)
        base.append(Case.resolution_due.is_not(None))
        if after:
            due = bindparam("after_due", type_=Case.resolution_due.type)
            last = bindparam("after_id", type_=Case.id.type)
            base.append(
                or_(Case.resolution_due > due, and_(Case.resolution_due == due, Case.id > last))
            )
    else:
        keys = (Case.id,)
        base.append(Case.resolution_due.is_(None))
        if after:
            base.append(Case.id > bindparam("after_id"))
    parts = _parts(triage, person)
    reads: list[Select[Any]] = []
    for part in parts:
        ordered = (
            select(Case.id, Case.resolution_due)
            .where(part, *base)
            .order_by(*keys)
            .limit(limit)
            .subquery()
        )
        reads.append(select(ordered.c.id, ordered.c.resolution_due))
    merged = union_all(*reads).subquery() if len(reads) > 1 else reads[0].subquery()
    order = (merged.c.resolution_due, merged.c.id) if deadline else (merged.c.id,)
    return select(merged.c.id, merged.c.resolution_due).order_by(*order).limit(limit)


def _parts(
    triage: tuple[bool, ...], person: tuple[bool, bool] | None
) -> Sequence[ColumnElement[bool]]:
    if person is not None:
        named, with_triage = person
        on_department: list[ColumnElement[bool]] = []
        if named:
            on_department.append(Case.department_id.in_(bindparam("departments", expanding=True)))
        if with_triage:
            on_department.append(Case.department_id.is_(None))
        statuses = Case.status.in_(bindparam("statuses", expanding=True))
        return [and_(or_(*on_department), statuses)]
    return [
        and_(
            Case.department_id.is_(None) if is_triage else Case.department_id == bindparam(f"d{i}"),
            Case.status == bindparam(f"s{i}"),
        )
        for i, is_triage in enumerate(triage)
    ]


def _filters(names: tuple[str, ...], dialect: str) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    for name in names:
        if name == "unassigned":
            found.append(Case.assignee_id.is_(None))
        elif name == "assignee":
            found.append(Case.assignee_id == bindparam("assignee"))
        elif name == "queue":
            found.append(Case.queue == bindparam("queue"))
        elif name == "priority":
            found.append(Case.priority == bindparam("priority"))
        elif name == "tag":
            found.append(_has_tag(dialect))
        elif name == "breached":
            found.append(breached_at(bindparam("breached", type_=Case.resolution_due.type)))
    return found


def _has_tag(dialect: str) -> ColumnElement[bool]:
    """Tags are a JSON list: JSONB containment on PostgreSQL, json_each on SQLite."""
    if dialect == "postgresql":
        return type_coerce(Case.tags, JSONB).contains(bindparam("tag", type_=JSONB))
    value = func.json_each(Case.tags).table_valued("value")
    return exists(
        select(literal_column("1")).select_from(value).where(value.c.value == bindparam("tag"))
    )


def breached_at(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Running late at ``now``: the first answer is owed past its due time, or the resolution
    deadline passed (for a paused case, before the pause). Both read indexed deadlines."""
    return or_(
        and_(Case.first_responded_at.is_(None), Case.first_response_due < now),
        and_(
            Case.resolution_due < now,
            or_(Case.paused_at.is_(None), Case.resolution_due < Case.paused_at),
        ),
    )
