"""The team lead's set-up page for cases: opening rules, routing rules, SLA policies and
business calendars, on one page, in the order they apply.

Conditions and opening hours are written as a person says them (``score.nps le 6``,
``mon-fri 09:00-17:00``); the cases domain reads them and checks them exactly as the REST API
does, so a rule that saves here behaves as one saved there. Looking needs ``cases.read``;
changing needs ``cases.manage``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission, User
from cxloop.api.deps import SessionDep
from cxloop.cases import BusinessCalendar, CaseRule, Priority, RoutingRule, SlaPolicy
from cxloop.cases.calendar import hours_text, parse_hours_text
from cxloop.cases.conditions import describe, parse_conditions
from cxloop.cases.schemas import CalendarIn, CaseRuleIn, RoutingRuleIn, SlaPolicyIn
from cxloop.cases.setup import (
    delete_row,
    list_policies,
    list_rules,
    save_calendar,
    save_case_rule,
    save_routing_rule,
    save_sla_policy,
)
from cxloop.errors import CxloopError
from cxloop.web.form_errors import field_problem
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=5_000)]
Errors = dict[str, dict[str, str]]
SETUP = "/cases/setup"


def _page(
    request: Request,
    session: Session,
    user: User,
    *,
    errors: Errors | None = None,
    values: dict[str, dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    departments = {d.id: d for d in session.scalars(select(Department).order_by(Department.name))}
    calendars = list(session.scalars(select(BusinessCalendar)))
    context: dict[str, Any] = {
        "can_manage": user_can(session, user, Permission.cases_manage),
        "opening": list_rules(session, CaseRule),
        "routing": list_rules(session, RoutingRule),
        "policies": list_policies(session),
        "calendars": sorted(
            calendars, key=lambda c: (c.department_id is not None, c.department_id or 0)
        ),
        "departments": departments,
        "priorities": list(Priority),
        "describe": describe,
        "hours_text": hours_text,
        "errors": errors or {},
        "values": values or {},
        "done": request.query_params.get("done"),
    }
    return render(
        request, "cases/setup.html", context, user=user, active="cases", status_code=status_code
    )


@router.get(SETUP)
def setup_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Every rule and policy that decides where cases go and how fast they must move."""
    require_permission(session, user, Permission.cases_read)
    return _page(request, session, user)


def _save(
    request: Request,
    session: Session,
    user: User,
    form: str,
    values: dict[str, str],
    save: Any,
) -> Response:
    """Check the right to change the set-up, save, and go back to the page; on a mistake,
    the page again with the message beside the field and what was typed kept."""
    require_permission(session, user, Permission.cases_manage)
    try:
        save()
        session.flush()
    except (CxloopError, ValidationError, ValueError) as exc:
        session.rollback()
        field, message = _problem(exc)
        return _page(
            request,
            session,
            user,
            errors={form: {field: message}},
            values={form: values},
            status_code=422,
        )
    return RedirectResponse(f"{SETUP}?done={form}#{form}", status_code=303)


def _problem(exc: Exception) -> tuple[str, str]:
    """A condition or hours line that cannot be read is a plain ValueError naming its line."""
    if isinstance(exc, CxloopError | ValidationError):
        return field_problem(exc)
    return "conditions", str(exc)


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _number(text: str) -> int | str:
    """A number as typed; left as text so validation names the field when it is not one."""
    return int(text) if text.strip().isdigit() else text


@router.post(f"{SETUP}/opening-rules")
def add_opening_rule(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    priority: Short = Priority.normal.value,
    tags: Short = "",
    position: Short = "0",
    conditions: Long = "",
) -> Response:
    values = {
        "name": name,
        "priority": priority,
        "tags": tags,
        "position": position,
        "conditions": conditions,
    }

    def save() -> object:
        data = CaseRuleIn.model_validate(
            {
                "name": name,
                "priority": priority,
                "tags": _tags(tags),
                "position": _number(position),
                "conditions": parse_conditions(conditions),
            }
        )
        return save_case_rule(session, data)

    return _save(request, session, user, "opening", values, save)


@router.post(f"{SETUP}/routing-rules")
def add_routing_rule(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    department: Short = "",
    queue: Short = "",
    position: Short = "0",
    conditions: Long = "",
) -> Response:
    values = {
        "name": name,
        "department": department,
        "queue": queue,
        "position": position,
        "conditions": conditions,
    }

    def save() -> object:
        data = RoutingRuleIn.model_validate(
            {
                "name": name,
                "department": department,
                "queue": queue,
                "position": _number(position),
                "conditions": parse_conditions(conditions),
            }
        )
        return save_routing_rule(session, data)

    return _save(request, session, user, "routing", values, save)


@router.post(f"{SETUP}/sla-policies")
def add_sla_policy(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    department: Short = "",
    priority: Short = "",
    first_response_minutes: Short = "",
    resolution_minutes: Short = "",
    warn_before_minutes: Short = "30",
) -> Response:
    values = {
        "name": name,
        "department": department,
        "priority": priority,
        "first_response_minutes": first_response_minutes,
        "resolution_minutes": resolution_minutes,
        "warn_before_minutes": warn_before_minutes,
    }

    def save() -> object:
        data = SlaPolicyIn.model_validate(
            {
                "name": name,
                "department": department or None,
                "priority": priority or None,
                "first_response_minutes": _number(first_response_minutes),
                "resolution_minutes": _number(resolution_minutes),
                "warn_before_minutes": _number(warn_before_minutes),
            }
        )
        return save_sla_policy(session, data)

    return _save(request, session, user, "sla", values, save)


@router.post(f"{SETUP}/calendars")
def set_calendar(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    department: Short = "",
    timezone: Short = "UTC",
    hours: Long = "",
    holiday_country: Short = "",
    holiday_subdivision: Short = "",
) -> Response:
    values = {
        "department": department,
        "timezone": timezone,
        "hours": hours,
        "holiday_country": holiday_country,
        "holiday_subdivision": holiday_subdivision,
    }

    def save() -> object:
        data = CalendarIn(
            timezone=timezone,
            hours=parse_hours_text(hours),
            holiday_country=holiday_country or None,
            holiday_subdivision=holiday_subdivision or None,
        )
        return save_calendar(session, department or None, data)

    return _save(request, session, user, "calendar", values, save)


KINDS: dict[str, Any] = {
    "opening-rules": CaseRule,
    "routing-rules": RoutingRule,
    "sla-policies": SlaPolicy,
}


@router.post(SETUP + "/{kind}/{row_id}/delete")
def delete(
    request: Request,
    kind: str,
    row_id: int,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
) -> Response:
    require_permission(session, user, Permission.cases_manage)
    model = KINDS.get(kind)
    if model is None:
        return _page(request, session, user, status_code=404)
    delete_row(session, model, row_id)
    return RedirectResponse(f"{SETUP}?done=deleted", status_code=303)
