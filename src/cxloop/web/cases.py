"""The agent workspace's queues: views with their counts beside the queue, soonest deadline
first, refreshed in place every ten seconds (HTMX polling of one partial that carries the
rows and, out of band, the counts).

Looking needs ``cases.read``; an agent sees only their departments' cases (the rule is the
cases domain's :func:`cxloop.cases.visible`). Filters are a plain GET form, so the page works
without JavaScript; ``static/cases.js`` adds the keyboard shortcuts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from cxloop.accounts import Department, Permission, User, permissions_for
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.api.visibility import viewer_of
from cxloop.cases import (
    VIEWS,
    CaseStatus,
    Deadline,
    Directory,
    Priority,
    QueueFilter,
    QueueItem,
    Scope,
    next_deadline,
    queue_counts,
    queue_page,
    scope_of,
    view_filter,
)
from cxloop.customers.masking import mask_email, mask_name
from cxloop.errors import CxloopError, NotFound, ValidationFailed
from cxloop.types import utcnow
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser, client_ip
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("cases", "Cases", "/cases", order=25, permission=Permission.cases_read.value)

PAGE_SIZE = 50
POLL_SECONDS = 10
Text = Annotated[str | None, Query(max_length=200)]
Many = Annotated[list[str], Query()]


def workspace_scope(session: Session, user: User) -> Scope:
    """Who is looking, after checking they may look at cases at all."""
    require_permission(session, user, Permission.cases_read)
    return scope_of(user, permissions_for(session, user.role))


def customer_label(item: QueueItem, *, pii: bool) -> str:
    """The customer as the queue names them: masked unless ``pii`` (api/visibility.py)."""
    customer = item.customer
    if customer.name:
        return customer.name if pii else mask_name(customer.name)
    if customer.email:
        return customer.email if pii else mask_email(customer.email)
    return f"Customer #{customer.id}"


def field_of(exc: CxloopError, default: str) -> str:
    """The form field an error is about, to show the message next to it."""
    return str(exc.extra.get("field") or default)


def _span(minutes: float) -> str:
    whole = round(abs(minutes))
    hours, rest = divmod(whole, 60)
    if hours == 0:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def deadline_text(deadline: Deadline | None) -> str:
    """The deadline in business time as the queue says it: "due in 25 min", "breached"."""
    if deadline is None:
        return "no deadline"
    what = "first response" if deadline.clock == "first_response" else "resolution"
    if deadline.breached:
        return f"{what} breached {_span(deadline.business_minutes_left)} ago"
    if deadline.paused:
        return f"{what} paused, {_span(deadline.business_minutes_left)} left"
    if deadline.business_minutes_left < 1:
        return f"{what} due now"
    return f"{what} due in {_span(deadline.business_minutes_left)}"


@dataclass
class QueueForm:
    """The filter form as sent: a view, then any narrowing; bad values become messages."""

    view: str = "open"
    status: list[str] | None = None
    department: str = ""
    queue: str = ""
    assignee: str = ""
    priority: str = ""
    tag: str = ""
    breached: bool = False

    def query(self, **extra: str) -> str:
        params: list[tuple[str, str]] = [("view", self.view)]
        params += [("status", s) for s in self.status or []]
        for name in ("department", "queue", "assignee", "priority", "tag"):
            value = getattr(self, name)
            if value:
                params.append((name, value))
        if self.breached:
            params.append(("breached", "1"))
        params += [(k, v) for k, v in extra.items() if v]
        return urlencode(params)


def _filter(form: QueueForm) -> tuple[QueueFilter, dict[str, str]]:
    """The queue filter the form asks for, and a message per field it could not use."""
    errors: dict[str, str] = {}
    try:
        chosen = view_filter(form.view)
    except NotFound:
        errors["view"] = f"There is no view '{form.view}'."
        form.view, chosen = "open", view_filter("open")
    changes: dict[str, Any] = {}
    if form.status:
        changes["statuses"] = frozenset(form.status)
    if form.department:
        if form.department.isdigit():
            changes["department_id"] = int(form.department)
        else:
            errors["department"] = "Choose a department from the list."
    if form.queue:
        changes["queue"] = form.queue
    if form.assignee in ("me", "unassigned"):
        changes["assignee"] = form.assignee
    elif form.assignee.isdigit():
        changes["assignee"] = int(form.assignee)
    elif form.assignee:
        errors["assignee"] = "Choose me, unassigned or a person from the list."
    if form.priority:
        changes["priority"] = form.priority
    if form.tag:
        changes["tag"] = form.tag.strip()
    if form.breached:
        changes["breached"] = True
    try:
        return replace(chosen, **changes), errors
    except ValidationFailed as exc:
        errors[field_of(exc, "view")] = exc.detail
        return chosen, errors


def _departments(directory: Directory, scope: Scope) -> list[Department]:
    return sorted(
        (
            d
            for d in directory.departments.values()
            if scope.all_departments or d.id in scope.department_ids
        ),
        key=lambda d: d.name,
    )


def _queue_context(
    request: Request,
    session: Session,
    user: User,
    default_timezone: str,
    form: QueueForm,
    cursor: str | None,
) -> dict[str, Any]:
    scope = workspace_scope(session, user)
    viewer = viewer_of(session, user, client_ip(request))
    filters, errors = _filter(form)
    now = utcnow()
    try:
        page = queue_page(session, scope, filters, now=now, cursor=cursor, limit=PAGE_SIZE)
    except ValidationFailed as exc:  # a stale or edited cursor: start again from the top
        errors[field_of(exc, "cursor")] = exc.detail
        page = queue_page(session, scope, filters, now=now, limit=PAGE_SIZE)
        cursor = None
    directory = Directory(session, default_timezone=default_timezone)
    departments = _departments(directory, scope)
    unmasked = viewer.unmasked(session, {item.case.customer_id for item in page.items})
    rows = []
    for item in page.items:
        calendar = directory.calendar(item.case.department_id)
        deadline = next_deadline(item.case, calendar, now)
        rows.append(
            {
                "item": item,
                "customer": customer_label(item, pii=item.case.customer_id in unmasked),
                "department": directory.departments.get(item.case.department_id or 0),
                "deadline": deadline,
                "deadline_text": deadline_text(deadline),
            }
        )
    counts = queue_counts(session, scope, now=now)
    views = [(key, label, counts.of(key)) for key, (label, _) in VIEWS.items()]
    if not scope.triage:
        views = [v for v in views if v[0] != "triage"]
    views += [(f"department-{d.id}", d.name, counts.of(f"department-{d.id}")) for d in departments]
    return {
        "form": form,
        "errors": errors,
        "rows": rows,
        "views": views,
        "view_label": dict((k, label) for k, label, _ in views).get(form.view, "Cases"),
        "departments": departments,
        "statuses": list(CaseStatus),
        "priorities": list(Priority),
        "next_url": f"/cases?{form.query(cursor=page.next_cursor)}" if page.next_cursor else None,
        "continued": bool(cursor),
        "poll_url": f"/cases/live?{form.query(cursor=cursor or '')}",
        "poll_seconds": POLL_SECONDS,
        "can_work": viewer.can(Permission.cases_work),
    }


def _form(
    view: str | None,
    status: list[str],
    department: str | None,
    queue: str | None,
    assignee: str | None,
    priority: str | None,
    tag: str | None,
    breached: str | None,
) -> QueueForm:
    return QueueForm(
        view=(view or "open").strip(),
        status=[s for s in status if s] or None,
        department=(department or "").strip(),
        queue=(queue or "").strip(),
        assignee=(assignee or "").strip(),
        priority=(priority or "").strip(),
        tag=(tag or "").strip(),
        breached=bool(breached),
    )


@router.get("/cases")
def queue(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    view: Text = None,
    status: Many = [],  # noqa: B006 - FastAPI copies defaults
    department: Text = None,
    queue: Text = None,
    assignee: Text = None,
    priority: Text = None,
    tag: Text = None,
    breached: Text = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The views with their counts, the filter form and the queue."""
    form = _form(view, status, department, queue, assignee, priority, tag, breached)
    context = _queue_context(
        request, session, user, settings.default_timezone, form, cursor or None
    )
    return render(request, "cases/queue.html", context, user=user, active="cases")


@router.get("/cases/live")
def queue_live(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    view: Text = None,
    status: Many = [],  # noqa: B006
    department: Text = None,
    queue: Text = None,
    assignee: Text = None,
    priority: Text = None,
    tag: Text = None,
    breached: Text = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The rows and (out of band) the counts, for the page's polling."""
    form = _form(view, status, department, queue, assignee, priority, tag, breached)
    context = _queue_context(
        request, session, user, settings.default_timezone, form, cursor or None
    )
    return render(request, "cases/_live.html", context, user=user)
