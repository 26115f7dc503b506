"""SLA timers: warn before a deadline, escalate when it passes.

State-based, not scheduled per case: each run finds, with one indexed query, the active cases
whose deadline is near or gone and that have not been told yet, and flags them. A run that
is late (the worker was down) catches up on everything it missed; a run that repeats finds
nothing new. So warnings and escalations happen exactly once, across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import SYSTEM, assign, record, set_priority, transfer
from cxloop.cases.models import ACTIVE_STATUSES, PRIORITY_RANK, Case, Priority, SlaPolicy


@dataclass(frozen=True, slots=True)
class Alert:
    case_id: int
    clock: str
    """first_response or resolution"""
    kind: str
    """sla_warning or sla_breach"""
    due: datetime


def _longest_warning(directory: Directory) -> timedelta:
    longest = directory.session.scalar(select(func.max(SlaPolicy.warn_before_minutes))) or 0
    return timedelta(minutes=int(longest))


def due_cases(directory: Directory, now: datetime) -> list[Case]:
    horizon = now + _longest_warning(directory)
    first_pending = and_(
        Case.first_responded_at.is_(None),
        Case.first_response_due <= horizon,
        Case.first_response_breached.is_(False),
    )
    resolution_pending = and_(
        Case.paused_at.is_(None),
        Case.resolution_due <= horizon,
        Case.resolution_breached.is_(False),
    )
    return list(
        directory.session.scalars(
            select(Case)
            .where(Case.status.in_(sorted(ACTIVE_STATUSES)), or_(first_pending, resolution_pending))
            .order_by(Case.id)
        )
    )


def check_deadlines(directory: Directory, now: datetime) -> list[Alert]:
    alerts: list[Alert] = []
    for case in due_cases(directory, now):
        policy = (
            directory.session.get(SlaPolicy, case.sla_policy_id) if case.sla_policy_id else None
        )
        warn = timedelta(minutes=policy.warn_before_minutes if policy else 0)
        if case.first_responded_at is None and case.first_response_due is not None:
            alerts += _clock(
                directory, case, policy, "first_response", case.first_response_due, now, warn
            )
        if case.paused_at is None and case.resolution_due is not None:
            alerts += _clock(directory, case, policy, "resolution", case.resolution_due, now, warn)
    return alerts


def _clock(
    directory: Directory,
    case: Case,
    policy: SlaPolicy | None,
    clock: str,
    due: datetime,
    now: datetime,
    warn: timedelta,
) -> list[Alert]:
    warned, breached = f"{clock}_warned", f"{clock}_breached"
    if getattr(case, breached):
        return []
    if due <= now:
        setattr(case, warned, True)
        setattr(case, breached, True)
        record(directory.session, case, "sla_breach", SYSTEM, clock=clock, due=due.isoformat())
        escalate(directory, case, policy, clock=clock, now=now)
        return [Alert(case.id, clock, "sla_breach", due)]
    if not getattr(case, warned) and due - warn <= now:
        setattr(case, warned, True)
        record(directory.session, case, "sla_warning", SYSTEM, clock=clock, due=due.isoformat())
        return [Alert(case.id, clock, "sla_warning", due)]
    return []


def escalate(
    directory: Directory, case: Case, policy: SlaPolicy | None, *, clock: str, now: datetime
) -> None:
    """What the policy says to do on a breach: raise the priority, move the case to another
    department, give it to a lead. Without a policy target, the department's lead is told."""
    actions: list[str] = []
    if policy is not None and policy.escalate_priority:
        target = Priority(policy.escalate_priority)
        if PRIORITY_RANK[target] > PRIORITY_RANK[Priority(case.priority)]:
            deadlines = (case.first_response_due, case.resolution_due)
            set_priority(directory, case, target.value, actor=SYSTEM)
            case.first_response_due, case.resolution_due = deadlines  # a breach stays a breach
            actions.append(f"priority {target.value}")
    if policy is not None and policy.escalate_to_department_id not in (None, case.department_id):
        assert policy.escalate_to_department_id is not None
        transfer(directory, case, policy.escalate_to_department_id, actor=SYSTEM, now=now)
        actions.append("transferred")
    lead = policy.escalate_to_user_id if policy is not None else None
    members = {a.id for a in directory.agents(case.department_id)} if case.department_id else set()
    if lead is not None and lead in members:
        assign(directory, case, lead, actor=SYSTEM)
        actions.append("assigned to lead")
    if lead is None and case.department_id is not None:
        lead = directory.setup(case.department_id).lead_id
    record(
        directory.session,
        case,
        "escalated",
        SYSTEM,
        clock=clock,
        actions=actions,
        notify_user_id=lead,
    )
