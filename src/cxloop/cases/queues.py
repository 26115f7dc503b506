"""What an agent sees of the cases: the department scope, the queues and the counts beside them.

The scope rule lives here and nowhere else, so the web pages and the REST API cannot drift
apart: ``cases.all_departments`` sees everything; anyone else sees their departments' cases,
and triage (cases with no department) only with ``cases.manage`` too.

Queues read the index ``ix_cases_queue`` (department, status, deadline, id): a queue over
several departments and statuses is the merge of one short, already ordered index range per
(department, status) pair, so a page costs the same with a hundred open cases or a hundred
thousand. A filter on one person reads their cases through the assignee index instead.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission, User
from cxloop.cases.calendar import Calendar
from cxloop.cases.lifecycle import get_case
from cxloop.cases.models import ACTIVE_STATUSES, Case, CaseStatus, Priority
from cxloop.cases.queue_query import Reading, ordered_ids
from cxloop.customers import Customer
from cxloop.errors import NotFound, ValidationFailed
from cxloop.store.crud import Page, decode_cursor, encode_cursor

MAX_PAGE = 200
ACTIVE = tuple(sorted(ACTIVE_STATUSES))


# --- who may see what -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The cases one person may see, and who they are (for "my cases")."""

    user_id: int
    department_ids: frozenset[int]
    all_departments: bool
    triage: bool
    """May see cases without a department (the triage queue)."""


def scope_of(user: User, permissions: Collection[Permission]) -> Scope:
    everything = Permission.cases_all_departments in permissions
    return Scope(
        user_id=user.id,
        department_ids=frozenset(d.id for d in user.departments),
        all_departments=everything,
        triage=everything or Permission.cases_manage in permissions,
    )


def visible(scope: Scope) -> ColumnElement[bool]:
    """The SQL condition of the cases ``scope`` may see."""
    if scope.all_departments:
        return true()
    allowed: list[ColumnElement[bool]] = []
    if scope.department_ids:
        allowed.append(Case.department_id.in_(sorted(scope.department_ids)))
    if scope.triage:
        allowed.append(Case.department_id.is_(None))
    return or_(*allowed) if allowed else false()


def sees(scope: Scope, case: Case) -> bool:
    """The same rule as :func:`visible`, for one case already loaded."""
    if scope.all_departments:
        return True
    if case.department_id is None:
        return scope.triage
    return case.department_id in scope.department_ids


def visible_case(session: Session, scope: Scope, case_id: int, *, for_update: bool = False) -> Case:
    """The case, or NotFound when it is out of scope: another department's case is not
    admitted to exist."""
    case = get_case(session, case_id, for_update=for_update)
    if not sees(scope, case):
        raise NotFound(f"case {case_id} does not exist")
    return case


# --- queues -----------------------------------------------------------------------------

Assignee = int | Literal["me", "unassigned"] | None


@dataclass(frozen=True)
class QueueFilter:
    statuses: frozenset[str] = ACTIVE_STATUSES
    department_id: int | None = None
    triage: bool = False
    """Only cases without a department."""
    own_departments: bool = False
    """Only the person's own departments' cases (all departments when they belong to none)."""
    queue: str | None = None
    assignee: Assignee = None
    priority: str | None = None
    tag: str | None = None
    breached: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.statuses) - set(CaseStatus)
        if unknown or not self.statuses:
            raise ValidationFailed(f"status must be among {', '.join(CaseStatus)}", field="status")
        if self.priority is not None and self.priority not in Priority.__members__:
            raise ValidationFailed(
                f"priority must be one of {', '.join(Priority)}", field="priority"
            )


@dataclass(frozen=True, slots=True)
class QueueItem:
    case: Case
    customer: Customer
    assignee: User | None


VIEWS: dict[str, tuple[str, QueueFilter]] = {
    "mine": ("My open cases", QueueFilter(assignee="me")),
    "unassigned": (
        "Unassigned in my departments",
        QueueFilter(assignee="unassigned", own_departments=True),
    ),
    "triage": ("Triage", QueueFilter(triage=True)),
    "breached": ("Breached", QueueFilter(breached=True)),
    "waiting": ("Waiting on customer", QueueFilter(statuses=frozenset({CaseStatus.waiting}))),
    "open": ("All open cases", QueueFilter()),
}


def view_filter(view: str) -> QueueFilter:
    """A named view as a filter: one of :data:`VIEWS`, or ``department-<id>``."""
    if view.startswith("department-") and view.removeprefix("department-").isdigit():
        return QueueFilter(department_id=int(view.removeprefix("department-")))
    if view not in VIEWS:
        raise NotFound(f"there is no view '{view}'")
    return VIEWS[view][1]


def queue_page(
    session: Session,
    scope: Scope,
    filters: QueueFilter,
    *,
    now: datetime,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[QueueItem]:
    """One page of the queue, soonest deadline first; cases without a deadline come last,
    oldest first. The cursor is opaque: pass back ``next_cursor``."""
    limit = max(1, min(limit, MAX_PAGE))
    reading = _reading(session, scope, filters, now)
    phase, after = _read_cursor(cursor)
    ids: list[int] = []
    next_cursor: str | None = None
    if phase == "d":
        found = ordered_ids(session, reading, after, limit + 1, deadline=True)
        ids = [i for i, _ in found[:limit]]
        if len(found) > limit:
            last_id, last_due = found[limit - 1]
            assert last_due is not None  # this phase reads only cases with a deadline
            next_cursor = "d" + encode_cursor([last_due.isoformat(), last_id])
        else:
            after = None
    if next_cursor is None and len(ids) < limit:
        room = limit - len(ids)
        found = ordered_ids(session, reading, after, room + 1, deadline=False)
        ids += [i for i, _ in found[:room]]
        if len(found) > room:
            next_cursor = "n" + encode_cursor([found[room - 1][0]])
    return Page(items=_load(session, ids), next_cursor=next_cursor)


def _read_cursor(cursor: str | None) -> tuple[str, list[Any] | None]:
    if not cursor:
        return "d", None
    phase, rest = cursor[:1], cursor[1:]
    if phase == "d":
        due, case_id = decode_cursor(rest, 2)
        try:
            return "d", [datetime.fromisoformat(str(due)), int(case_id)]
        except (TypeError, ValueError):
            raise ValidationFailed("cursor is not one this API gave out", field="cursor") from None
    if phase == "n":
        (case_id,) = decode_cursor(rest, 1)
        if not isinstance(case_id, int):
            raise ValidationFailed("cursor is not one this API gave out", field="cursor")
        return "n", [case_id]
    raise ValidationFailed("cursor is not one this API gave out", field="cursor")


def _departments(session: Session, scope: Scope, filters: QueueFilter) -> list[int | None]:
    if filters.triage:
        return [None] if scope.triage else []
    if filters.department_id is not None:
        wanted: int | None = filters.department_id
        allowed = scope.all_departments or wanted in scope.department_ids
        return [wanted] if allowed else []
    own: list[int | None] = [*sorted(scope.department_ids)]
    if filters.own_departments and own:
        return own
    if scope.all_departments:
        every: list[int | None] = list(
            session.scalars(select(Department.id).order_by(Department.id))
        )
        return every if filters.own_departments else [*every, None]
    triage: list[int | None] = [None] if scope.triage and not filters.own_departments else []
    return [*own, *triage]


def _reading(session: Session, scope: Scope, filters: QueueFilter, now: datetime) -> Reading:
    """The index ranges to merge, one per (department, status), and the narrowing; a filter
    on one person reads their few cases through the assignee index instead."""
    departments = _departments(session, scope, filters)
    narrowing: list[tuple[str, Any]] = []
    if filters.queue is not None:
        narrowing.append(("queue", filters.queue))
    if filters.assignee == "unassigned":
        narrowing.append(("unassigned", None))
    elif filters.assignee is not None:
        who = scope.user_id if filters.assignee == "me" else filters.assignee
        narrowing.append(("assignee", who))
    if filters.priority is not None:
        narrowing.append(("priority", filters.priority))
    if filters.tag:
        narrowing.append(("tag", filters.tag))
    if filters.breached:
        narrowing.append(("breached", now))
    if not departments:
        return Reading()
    statuses = tuple(sorted(filters.statuses))
    if filters.assignee is not None and filters.assignee != "unassigned":
        return Reading(
            person_departments=tuple(departments),
            person_statuses=statuses,
            filters=tuple(narrowing),
        )
    return Reading(
        ranges=tuple((d, status) for d in departments for status in statuses),
        filters=tuple(narrowing),
    )


def _load(session: Session, ids: Sequence[int]) -> list[QueueItem]:
    if not ids:
        return []
    rows = session.execute(
        select(Case, Customer, User)
        .join(Customer, Customer.id == Case.customer_id)
        .outerjoin(User, User.id == Case.assignee_id)
        .where(Case.id.in_(ids))
    ).all()
    by_id = {row[0].id: QueueItem(case=row[0], customer=row[1], assignee=row[2]) for row in rows}
    return [by_id[i] for i in ids if i in by_id]


# --- deadlines as people read them ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """The clock that matters now: first response until answered, then resolution."""

    clock: Literal["first_response", "resolution"]
    due: datetime
    breached: bool
    paused: bool
    business_minutes_left: float
    """Business minutes until ``due`` on the department's calendar (negative once past)."""


def next_deadline(case: Case, calendar: Calendar, now: datetime) -> Deadline | None:
    """What the queue's deadline column says of a case; None for a case with no SLA, or done."""
    if CaseStatus(case.status) not in ACTIVE_STATUSES:
        return None
    if case.first_responded_at is None and case.first_response_due is not None:
        clock: Literal["first_response", "resolution"] = "first_response"
        due, paused = case.first_response_due, False
    elif case.resolution_due is not None:
        clock, due, paused = "resolution", case.resolution_due, case.paused_at is not None
    else:
        return None
    moment = case.paused_at if paused and case.paused_at is not None else now
    left = calendar.minutes_between(moment, due)
    return Deadline(
        clock=clock,
        due=due,
        breached=due < moment,
        paused=paused,
        business_minutes_left=left,
    )
