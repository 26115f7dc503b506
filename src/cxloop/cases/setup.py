"""What a team lead sets up: opening and routing rules, SLA policies, business calendars, how
each department hands out work, and what each agent can take.

Every change publishes :class:`CaseSetupChanged`, so processes that cache the set-up (the
ingest path asks whether any opening rule exists) drop their copy at once.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, User, user_by_email
from cxloop.cases.events import CaseSetupChanged
from cxloop.cases.models import (
    AgentProfile,
    BusinessCalendar,
    CaseRule,
    DepartmentSetup,
    RoutingRule,
    SlaPolicy,
)
from cxloop.cases.schemas import (
    AgentProfileIn,
    CalendarIn,
    CaseRuleIn,
    DepartmentSetupIn,
    RoutingRuleIn,
    SlaPolicyIn,
)
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.store.uow import publish

Row = TypeVar("Row", CaseRule, RoutingRule, SlaPolicy)


def department(session: Session, slug: str | None, *, field: str = "department") -> int | None:
    if slug is None:
        return None
    found = session.scalar(select(Department.id).where(Department.slug == slug.strip().lower()))
    if found is None:
        raise ValidationFailed(f"there is no department '{slug}'", field=field)
    return found


def person(session: Session, email: str | None, *, field: str) -> int | None:
    if not email:
        return None
    user: User | None = user_by_email(session, email=email)
    if user is None:
        raise ValidationFailed(f"there is no user {email}", field=field)
    return user.id


def _changed(session: Session) -> None:
    publish(session, CaseSetupChanged())


def _save(session: Session, model: type[Row], values: dict[str, Any], row_id: int | None) -> Row:
    row = model() if row_id is None else session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__tablename__.replace('_', ' ')[:-1]} {row_id} does not exist")
    for key, value in values.items():
        setattr(row, key, value)
    session.add(row)
    session.flush()
    _changed(session)
    return row


def save_case_rule(session: Session, data: CaseRuleIn, rule_id: int | None = None) -> CaseRule:
    values = data.model_dump(mode="json")
    return _save(session, CaseRule, values, rule_id)


def save_routing_rule(
    session: Session, data: RoutingRuleIn, rule_id: int | None = None
) -> RoutingRule:
    values = data.model_dump(mode="json", exclude={"department"})
    values["department_id"] = department(session, data.department)
    return _save(session, RoutingRule, values, rule_id)


def save_sla_policy(session: Session, data: SlaPolicyIn, policy_id: int | None = None) -> SlaPolicy:
    values = data.model_dump(
        mode="json", exclude={"department", "escalate_to", "escalate_to_department"}
    )
    values["department_id"] = department(session, data.department)
    values["escalate_to_user_id"] = person(session, data.escalate_to, field="escalate_to")
    values["escalate_to_department_id"] = department(
        session, data.escalate_to_department, field="escalate_to_department"
    )
    clash = session.scalar(
        select(SlaPolicy.id).where(
            SlaPolicy.department_id.is_(None)
            if values["department_id"] is None
            else SlaPolicy.department_id == values["department_id"],
            SlaPolicy.priority.is_(None)
            if data.priority is None
            else SlaPolicy.priority == data.priority.value,
        )
    )
    if clash is not None and clash != policy_id:
        raise Conflict(
            f"policy {clash} already covers this department and priority; change that one",
            field="priority",
        )
    return _save(session, SlaPolicy, values, policy_id)


def delete_row(session: Session, model: type[Row], row_id: int) -> None:
    """Through the ORM, so the removal reaches the audit log with what the row held."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFound(f"{model.__tablename__.replace('_', ' ')[:-1]} {row_id} does not exist")
    session.delete(row)
    session.flush()
    _changed(session)


def list_rules(session: Session, model: type[CaseRule] | type[RoutingRule]) -> list[Any]:
    """In the order they are tried."""
    return list(session.scalars(select(model).order_by(model.position, model.id)))


def list_policies(session: Session) -> list[SlaPolicy]:
    return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.id)))


def save_calendar(session: Session, slug: str | None, data: CalendarIn) -> BusinessCalendar:
    """The department's calendar (or, without a department, the company's default)."""
    data.check()
    department_id = department(session, slug)
    row = session.scalar(
        select(BusinessCalendar).where(
            BusinessCalendar.department_id.is_(None)
            if department_id is None
            else BusinessCalendar.department_id == department_id
        )
    )
    if row is None:
        row = BusinessCalendar(department_id=department_id)
        session.add(row)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    session.flush()
    _changed(session)
    return row


def save_department_setup(session: Session, slug: str, data: DepartmentSetupIn) -> DepartmentSetup:
    department_id = department(session, slug)
    assert department_id is not None
    row = session.get(DepartmentSetup, department_id) or DepartmentSetup(
        department_id=department_id
    )
    row.assignment = data.assignment
    row.lead_id = person(session, data.lead, field="lead")
    row.notify_webhook_url = data.notify_webhook_url
    session.add(row)
    session.flush()
    _changed(session)
    return row


def save_agent_profile(session: Session, email: str, data: AgentProfileIn) -> AgentProfile:
    user_id = person(session, email, field="email")
    if user_id is None:
        raise ValidationFailed("give the agent's email", field="email")
    row = session.get(AgentProfile, user_id) or AgentProfile(user_id=user_id)
    row.languages = sorted({lang.strip().lower() for lang in data.languages if lang.strip()})
    row.skills = sorted({s.strip() for s in data.skills if s.strip()})
    row.available = data.available
    session.add(row)
    session.flush()
    _changed(session)
    return row
