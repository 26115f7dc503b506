"""The alerts page (/alerts): the stored alert rules and scheduled reports, the messages
that could not go out (retrying or failed), a form to add a rule, and a page to edit or
remove one. The insights domain checks every rule exactly as the
REST API does, and the page shows its message beside the field it names. Seeing needs
``metrics.read``; adding, editing and removing ``alerts.manage`` (audited as any change).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User
from cxloop.api.deps import SessionDep
from cxloop.errors import CxloopError
from cxloop.insights import (
    AlertRuleCreate,
    StoredAlertRule,
    change_rule,
    create_rule,
    get_rule,
    list_reports,
    list_rules,
    metrics,
    remove,
    undelivered,
)
from cxloop.web.form_errors import field_problem
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("alerts", "Alerts", "/alerts", order=35, permission=Permission.metrics_read.value)

GROUPINGS = ("", "channel", "stage", "department")
DONE = {
    "added": "Alert rule added.",
    "saved": "Alert rule saved.",
    "removed": "Alert rule removed.",
}


class RuleForm(BaseModel):
    """The add/edit form as posted: text as typed, one address or filter per line."""

    name: str = Field(default="", max_length=500)
    metric: str = Field(default="", max_length=64)
    kind: str = Field(default="", max_length=16)
    threshold: str = Field(default="", max_length=64)
    by: str = Field(default="", max_length=64)
    filters: str = Field(default="", max_length=5_000)
    days: str = Field(default="", max_length=16)
    addresses: str = Field(default="", max_length=20_000)
    user_ids: list[int] = Field(default_factory=list, max_length=100)
    webhook_url: str = Field(default="", max_length=500)
    webhook_format: str = Field(default="chat", max_length=16)
    active: str = Field(default="", max_length=8)

    def rule(self) -> dict[str, Any]:
        """The form as the schema reads it (blank is unset)."""
        return {
            "name": self.name.strip(),
            "metric": self.metric,
            "kind": self.kind,
            "threshold": self.threshold.strip() or None,
            "by": [self.by] if self.by else [],
            "filters": [f.strip() for f in self.filters.splitlines() if f.strip()],
            "days": self.days.strip() or "7",
            "addresses": [a.strip() for a in self.addresses.splitlines() if a.strip()],
            "user_ids": self.user_ids,
            "webhook_url": self.webhook_url.strip() or None,
            "webhook_format": self.webhook_format,
            "active": self.active == "on",
        }

    def shown(self) -> dict[str, Any]:
        """The form as typed, to show again beside its errors."""
        return self.model_dump() | {"active": self.active == "on"}


PostedRule = Annotated[RuleForm, Form()]


def _values(rule: StoredAlertRule) -> dict[str, Any]:
    return {
        "name": rule.name, "metric": rule.metric, "kind": rule.kind,
        "threshold": "" if rule.threshold is None else f"{rule.threshold:g}",
        "by": rule.by[0] if rule.by else "", "filters": "\n".join(rule.filters),
        "days": str(rule.days), "addresses": "\n".join(rule.addresses),
        "user_ids": rule.user_ids, "webhook_url": rule.webhook_url or "",
        "webhook_format": rule.webhook_format, "active": rule.active,
    }  # fmt: skip


def _context(session: Session, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    users = session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.email))
    return {
        "values": values,
        "errors": errors,
        "all_metrics": metrics(),
        "groupings": GROUPINGS,
        "users": list(users),
    }


def _list_page(
    request: Request,
    session: Session,
    user: User,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    context = _context(session, values or {"days": "7", "active": True}, errors or {})
    context |= {
        "rules": list_rules(session),
        "reports": list_reports(session),
        "undelivered": undelivered(session),
        "can_manage": user_can(session, user, Permission.alerts_manage),
        "done": DONE.get(done or ""),
    }
    return render(
        request, "insights/alerts.html", context, user=user, active="alerts",
        status_code=status_code,
    )  # fmt: skip


@router.get("/alerts")
def alerts_page(
    request: Request, session: SessionDep, user: PageUser, done: str | None = None
) -> Response:
    """Every rule and report; the form to add a rule for those who may."""
    require_permission(session, user, Permission.metrics_read)
    return _list_page(request, session, user, done=done)


def _errors(exc: CxloopError | ValidationError) -> dict[str, str]:
    """The service names parse_query's ``filter``; the form's field is ``filters``."""
    field, message = field_problem(exc)
    return {"filters" if field == "filter" else field: message}


@router.post("/alerts")
def add_rule(
    request: Request, session: SessionDep, user: PageUser, _csrf: CsrfChecked, form: PostedRule
) -> Response:
    require_permission(session, user, Permission.alerts_manage)
    try:
        create_rule(session, AlertRuleCreate.model_validate(form.rule()), actor=user.email)
    except (CxloopError, ValidationError) as exc:
        return _list_page(
            request, session, user, values=form.shown(), errors=_errors(exc),
            status_code=_status(exc),
        )  # fmt: skip
    return RedirectResponse("/alerts?done=added", status_code=303)


def _status(exc: CxloopError | ValidationError) -> int:
    return exc.status if isinstance(exc, CxloopError) else 422


def _edit_page(
    request: Request,
    session: Session,
    user: User,
    rule: StoredAlertRule,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = _context(session, values, errors) | {"rule": rule}
    return render(
        request, "insights/alert_edit.html", context, user=user, active="alerts",
        status_code=status_code,
    )  # fmt: skip


@router.get("/alerts/{rule_id}")
def edit_page(rule_id: int, request: Request, session: SessionDep, user: PageUser) -> Response:
    """One rule's settings, to change or remove."""
    require_permission(session, user, Permission.alerts_manage)
    rule = get_rule(session, rule_id)
    return _edit_page(request, session, user, rule, _values(rule), {})


@router.post("/alerts/{rule_id}")
def save_rule(
    rule_id: int,
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    form: PostedRule,
) -> Response:
    require_permission(session, user, Permission.alerts_manage)
    rule = get_rule(session, rule_id)
    try:
        change_rule(session, rule, AlertRuleCreate.model_validate(form.rule()))
    except (CxloopError, ValidationError) as exc:
        session.expire(rule)  # a refused name leaves the stored rule as it was
        return _edit_page(request, session, user, rule, form.shown(), _errors(exc), _status(exc))
    return RedirectResponse("/alerts?done=saved", status_code=303)


@router.post("/alerts/{rule_id}/delete")
def delete_rule(rule_id: int, session: SessionDep, user: PageUser, _csrf: CsrfChecked) -> Response:
    require_permission(session, user, Permission.alerts_manage)
    remove(session, get_rule(session, rule_id))
    return RedirectResponse("/alerts?done=removed", status_code=303)
