"""Opening cases and every change to them. Each change is a :class:`CaseEvent` (the case's
history and what the customer's timeline shows) and a :class:`CaseChanged` on the bus once
the unit of work commits."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cxloop.cases.assignment import choose_agent
from cxloop.cases.calendar import Calendar
from cxloop.cases.directory import Agent, Directory
from cxloop.cases.events import CaseChanged
from cxloop.cases.models import (
    ACTIVE_STATUSES,
    TRIAGE,
    Case,
    CaseEvent,
    CaseLink,
    CaseMessage,
    CaseStatus,
    Priority,
)
from cxloop.cases.routing import Route, Router, route_many
from cxloop.cases.sla import (
    first_response_minutes,
    pause,
    resolution_minutes,
    resume,
    set_deadlines,
)
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.store.uow import publish
from cxloop.types import utcnow

SYSTEM = "system"
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.new: frozenset(
        {CaseStatus.open, CaseStatus.waiting, CaseStatus.solved, CaseStatus.closed}
    ),
    CaseStatus.open: frozenset({CaseStatus.waiting, CaseStatus.solved, CaseStatus.closed}),
    CaseStatus.waiting: frozenset({CaseStatus.open, CaseStatus.solved, CaseStatus.closed}),
    CaseStatus.solved: frozenset({CaseStatus.closed, CaseStatus.reopened}),
    CaseStatus.closed: frozenset({CaseStatus.reopened}),
    CaseStatus.reopened: frozenset(
        {CaseStatus.open, CaseStatus.waiting, CaseStatus.solved, CaseStatus.closed}
    ),
}
# The resolution clock stands still in these statuses.
PAUSED = frozenset({CaseStatus.waiting, CaseStatus.solved, CaseStatus.closed})


@dataclass
class CaseDraft:
    """A case about to be opened: who, what, and what caused it."""

    customer_id: int
    subject: str
    channel: str
    origin: str = "manual"
    priority: str = Priority.normal.value
    tags: list[str] = field(default_factory=list)
    interaction_ids: list[int] = field(default_factory=list)
    facts: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None
    language: str | None = None
    rule_id: int | None = None
    department_id: int | None = None
    """Given by hand: skips routing."""
    queue: str = ""


def record(session: Session, case: Case, kind: str, actor: str, **data: Any) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        customer_id=case.customer_id,
        kind=kind,
        actor=actor,
        data=data,
        at=utcnow(),
    )
    session.add(event)
    publish(session, CaseChanged(case_id=case.id, kind=kind, assignee_id=case.assignee_id))
    return event


def record_many(session: Session, events: Sequence[tuple[Case, str, str, dict[str, Any]]]) -> None:
    """``(case, kind, actor, data)`` events in one statement, in order, not loaded back: a
    batch of cases opening writes two per case."""
    if not events:
        return
    at = utcnow()
    session.execute(
        insert(CaseEvent),
        [
            {
                "case_id": case.id,
                "customer_id": case.customer_id,
                "kind": kind,
                "actor": actor,
                "data": data,
                "at": at,
            }
            for case, kind, actor, data in events
        ],
    )
    for case, kind, _, _ in events:
        publish(session, CaseChanged(case_id=case.id, kind=kind, assignee_id=case.assignee_id))


def open_cases(
    session: Session,
    directory: Directory,
    drafts: Sequence[CaseDraft],
    *,
    actor: str = SYSTEM,
    router: Router | None = None,
    threshold: float = 0.6,
    now: datetime | None = None,
) -> list[Case]:
    """Open, route, assign and start the SLA clocks of these cases, in one batch. Deadlines
    and owners are settled before the insert, so each case is written once, whole."""
    now = now or utcnow()
    routed = route_many(
        directory,
        [(d.facts, d.text) for d in drafts if d.department_id is None],
        router=router,
        threshold=threshold,
    )
    routes = iter(routed)
    planned: list[tuple[CaseDraft, Case, Agent | None]] = []
    for draft in drafts:
        route = (
            next(routes)
            if draft.department_id is None
            else Route(draft.department_id, draft.queue, how={"by": "hand", "actor": actor})
        )
        case = _new_case(draft, route, now)
        planned.append((draft, case, _plan(directory, case, needs=_needs(draft))))
    session.add_all([case for _, case, _ in planned])
    session.flush()
    links: list[dict[str, Any]] = []
    events: list[tuple[Case, str, str, dict[str, Any]]] = []
    for draft, case, agent in planned:
        links.extend(
            {"case_id": case.id, "interaction_id": i, "role": "cause", "linked_at": now}
            for i in dict.fromkeys(draft.interaction_ids)
        )
        opened = {
            "origin": draft.origin,
            "rule_id": draft.rule_id,
            "interactions": draft.interaction_ids,
            "routing": case.routing,
        }
        events.append((case, "opened", actor, opened))
        if agent is not None:
            events.append((case, "assigned", SYSTEM, _assignment(directory, case, agent)))
    if links:
        session.execute(insert(CaseLink), links)
    record_many(session, events)
    return [case for _, case, _ in planned]


def _new_case(draft: CaseDraft, route: Route, now: datetime) -> Case:
    if draft.priority not in Priority.__members__:
        raise ValidationFailed(f"priority must be one of {', '.join(Priority)}", field="priority")
    return Case(
        customer_id=draft.customer_id,
        subject=draft.subject[:300],
        status=CaseStatus.new.value,
        priority=route.priority or draft.priority,
        department_id=route.department_id,
        queue=route.queue,
        channel=draft.channel,
        language=draft.language,
        tags=sorted(set(draft.tags)),
        origin=draft.origin,
        rule_id=draft.rule_id,
        routing=route.how,
        reply_token=secrets.token_hex(10),
        paused_minutes=0.0,
        created_at=now,
        updated_at=now,
    )


def _needs(draft: CaseDraft) -> list[str]:
    """Skills a case asks for: its tags and topics."""
    topics = draft.facts.get("topic") or []
    return [*draft.tags, *topics]


def _plan(directory: Directory, case: Case, *, needs: Collection[str]) -> Agent | None:
    """Deadlines from the department's policy and calendar, then an owner; writes nothing
    but the case's own fields. A department with nobody who can take cases would hold the
    case where no one sees it, so the case goes to triage instead, saying why."""
    if case.department_id is not None and not directory.agents(case.department_id):
        department = directory.departments.get(case.department_id)
        name = department.slug if department is not None else str(case.department_id)
        case.routing = {
            **(case.routing or {}),
            "by": "triage",
            "reason": f"nobody in {name} can take cases",
            "department": name,
        }
        case.department_id, case.queue = None, TRIAGE
    calendar = directory.calendar(case.department_id)
    set_deadlines(case, directory.policy(case.department_id, case.priority), calendar)
    agent = choose_agent(directory, case.department_id, language=case.language, needs=needs)
    if agent is not None:
        case.assignee_id = agent.id
    return agent


def _assignment(directory: Directory, case: Case, agent: Agent) -> dict[str, Any]:
    return {
        "assignee_id": agent.id,
        "assignee": agent.email,
        "how": directory.setup(case.department_id or 0).assignment,
    }


def _start(directory: Directory, case: Case, *, needs: Collection[str], now: datetime) -> None:
    agent = _plan(directory, case, needs=needs)
    if agent is not None:
        record(directory.session, case, "assigned", SYSTEM, **_assignment(directory, case, agent))


def get_case(session: Session, case_id: int, *, for_update: bool = False) -> Case:
    case = session.get(Case, case_id, with_for_update=for_update)
    if case is None:
        raise NotFound(f"case {case_id} does not exist")
    return case


def set_status(
    directory: Directory,
    case: Case,
    status: str,
    *,
    actor: str,
    now: datetime | None = None,
    reason: str | None = None,
) -> Case:
    """Move a case through its workflow; waiting and solved stop the resolution clock."""
    now = now or utcnow()
    try:
        target = CaseStatus(status)
    except ValueError:
        raise ValidationFailed(
            f"status must be one of {', '.join(CaseStatus)}", field="status"
        ) from None
    current = CaseStatus(case.status)
    if target == current:
        return case
    if target not in TRANSITIONS[current]:
        raise Conflict(
            f"case {case.id} is {current.value}; it can become "
            f"{', '.join(sorted(TRANSITIONS[current]))}, not {target.value}",
            field="status",
        )
    if case.merged_into_id is not None:
        raise Conflict(f"case {case.id} was merged into case {case.merged_into_id}", field="status")
    calendar = directory.calendar(case.department_id)
    policy = directory.policy(case.department_id, case.priority)
    if target in PAUSED:
        pause(case, now)
    else:
        resume(case, policy, calendar, now)
    if target is CaseStatus.solved:
        case.solved_at = now
        case.resolution_business_minutes = resolution_minutes(case, calendar)
    elif target is CaseStatus.closed:
        case.closed_at = now
    elif target is CaseStatus.reopened:
        case.reopen_count += 1
        case.solved_at = case.closed_at = None
        case.resolution_business_minutes = None
    case.status = target.value
    case.updated_at = now
    record(
        directory.session,
        case,
        "status",
        actor,
        status=target.value,
        previous=current.value,
        reason=reason,
    )
    return case


def assign(directory: Directory, case: Case, assignee_id: int | None, *, actor: str) -> Case:
    """Give the case to someone in its department (or to nobody: back to the queue)."""
    if assignee_id is not None and case.department_id is not None:
        members = {a.id for a in directory.agents(case.department_id)}
        if assignee_id not in members:
            raise ValidationFailed(
                f"user {assignee_id} cannot take cases of this department "
                "(not a member, not allowed to work cases, or away)",
                field="assignee_id",
            )
    previous = case.assignee_id
    case.assignee_id = assignee_id
    record(directory.session, case, "assigned", actor, assignee_id=assignee_id, previous=previous)
    return case


def transfer(
    directory: Directory,
    case: Case,
    department_id: int,
    *,
    actor: str,
    queue: str = "",
    now: datetime | None = None,
) -> Case:
    """Move the case to another department: new deadlines on its policy and calendar, a new
    owner by its strategy; the history stays with the case."""
    if department_id not in directory.departments:
        raise ValidationFailed(f"department {department_id} does not exist", field="department_id")
    previous = case.department_id
    case.department_id, case.queue = department_id, queue
    case.assignee_id = None
    record(
        directory.session,
        case,
        "transferred",
        actor,
        department_id=department_id,
        previous=previous,
        queue=queue,
    )
    _start(directory, case, needs=case.tags, now=now or utcnow())
    return case


def set_priority(directory: Directory, case: Case, priority: str, *, actor: str) -> Case:
    if priority not in Priority.__members__:
        raise ValidationFailed(f"priority must be one of {', '.join(Priority)}", field="priority")
    previous, case.priority = case.priority, priority
    set_deadlines(
        case, directory.policy(case.department_id, priority), directory.calendar(case.department_id)
    )
    record(directory.session, case, "priority", actor, priority=priority, previous=previous)
    return case


def set_tags(session: Session, case: Case, tags: list[str], *, actor: str) -> Case:
    clean = sorted({t.strip() for t in tags if t.strip()})
    previous, case.tags = case.tags, clean
    record(session, case, "tags", actor, tags=clean, previous=previous)
    return case


def add_note(session: Session, case: Case, text: str, *, actor: str) -> CaseEvent:
    """An internal note: on the case, never sent to the customer."""
    if not text.strip():
        raise ValidationFailed("a note needs some text", field="text")
    return record(session, case, "note", actor, text=text.strip())


def link(session: Session, case: Case, interaction_id: int, *, role: str, actor: str) -> bool:
    """Attach an interaction to a case; False when it already was."""
    exists = session.get(CaseLink, (case.id, interaction_id))
    if exists is not None:
        return False
    session.add(CaseLink(case_id=case.id, interaction_id=interaction_id, role=role))
    record(session, case, "linked", actor, interaction_id=interaction_id, role=role)
    return True


def merge(directory: Directory, winner: Case, loser: Case, *, actor: str) -> Case:
    """Fold a duplicate into ``winner``: its interactions and messages move, it closes and
    points at the winner, and both histories say so."""
    session = directory.session
    if winner.id == loser.id:
        raise ValidationFailed("a case cannot be merged into itself", field="case_id")
    if winner.customer_id != loser.customer_id:
        raise ValidationFailed("only cases of the same customer can be merged", field="case_id")
    if loser.merged_into_id is not None or winner.merged_into_id is not None:
        raise Conflict("one of these cases was already merged", field="case_id")
    moved = 0
    winner_links = set(
        session.scalars(select(CaseLink.interaction_id).where(CaseLink.case_id == winner.id))
    )
    for row in session.scalars(select(CaseLink).where(CaseLink.case_id == loser.id)):
        if row.interaction_id not in winner_links:
            session.add(
                CaseLink(
                    case_id=winner.id,
                    interaction_id=row.interaction_id,
                    role=row.role,
                    linked_at=row.linked_at,
                )
            )
            moved += 1
    session.execute(
        update(CaseMessage).where(CaseMessage.case_id == loser.id).values(case_id=winner.id)
    )
    winner.tags = sorted(set(winner.tags) | set(loser.tags))
    if CaseStatus(loser.status) in ACTIVE_STATUSES:
        set_status(
            directory,
            loser,
            CaseStatus.closed.value,
            actor=actor,
            reason=f"merged into case {winner.id}",
        )
    loser.merged_into_id = winner.id
    record(session, loser, "merged", actor, into=winner.id)
    record(session, winner, "merged_in", actor, case_id=loser.id, interactions=moved)
    return winner


def first_response(case: Case, now: datetime, calendar: Calendar) -> bool:
    """Stop the first-response clock at the first answer, keeping its business minutes on the
    case's calendar; True when this was it."""
    if case.first_responded_at is not None:
        return False
    case.first_responded_at = now
    case.first_response_business_minutes = first_response_minutes(case, calendar)
    return True
