"""One case in the agent workspace: its state and SLA clocks, the customer with their
cross-channel timeline, the interactions behind the case with what understanding made of
them, its history, and the forms to answer, note and change it.

Every page and action finds the case through the department scope (another department's
case is a 404, as if it did not exist); looking needs ``cases.read``, acting ``cases.work``.
Each form is a plain POST with the session's CSRF token; a refused change comes back as the
page with the message next to the field, and a change that worked redirects back (303).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User, permissions_for
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.api.visibility import Viewer, viewer_of, visible_customer
from cxloop.cases import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Case,
    CaseEvent,
    CaseLink,
    CaseMessage,
    CaseStatus,
    Directory,
    Priority,
    ReplyTemplate,
    add_note,
    assign,
    merge,
    next_deadline,
    reply,
    sees,
    set_priority,
    set_status,
    set_tags,
    transfer,
    visible_case,
)
from cxloop.customers import get_customer, read_customer
from cxloop.errors import CxloopError, Forbidden, NotFound, ValidationFailed
from cxloop.interactions import Interaction
from cxloop.types import utcnow
from cxloop.understanding import Enrichment
from cxloop.web.cases import deadline_text, field_of, workspace_scope
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser, client_ip
from cxloop.web.templating import render
from cxloop.web.timeline import TimelineFilters, timeline_context

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DONE = {
    "reply": "Your answer is queued for delivery.",
    "note": "Note added.",
    "status": "Status changed.",
    "priority": "Priority changed.",
    "tags": "Tags saved.",
    "assign": "Assignee changed.",
    "transfer": "Case transferred.",
    "merge": "Case merged into this one.",
}


def _sla(case: Case, now: Any) -> list[dict[str, Any]]:
    """Each SLA clock as met, breached, running or paused, for the case header."""
    clocks = []
    if case.first_response_due is not None:
        answered = case.first_responded_at
        if answered is not None:
            state = "met" if answered <= case.first_response_due else "breached"
        else:
            state = "breached" if case.first_response_due < now else "running"
        clocks.append({"name": "First response", "due": case.first_response_due, "state": state})
    if case.resolution_due is not None:
        ended = case.solved_at or case.closed_at
        if CaseStatus(case.status) not in ACTIVE_STATUSES and ended is not None:
            state = "met" if ended <= case.resolution_due else "breached"
        elif case.resolution_breached or case.resolution_due < (case.paused_at or now):
            state = "breached"
        else:
            state = "paused" if case.paused_at is not None else "running"
        clocks.append({"name": "Resolution", "due": case.resolution_due, "state": state})
    return clocks


def _linked(session: Session, case: Case, viewer: Viewer) -> list[Any]:
    """The case's interactions with their enrichment: redacted text for everyone who may
    look, the raw text only to whom it is visible (``raw_text.read`` and department scope)."""
    rows = session.execute(
        select(CaseLink.role, Interaction, Enrichment)
        .join(Interaction, Interaction.id == CaseLink.interaction_id)
        .outerjoin(Enrichment, Enrichment.interaction_id == Interaction.id)
        .where(CaseLink.case_id == case.id)
        .order_by(Interaction.occurred_at, Interaction.id)
    ).all()
    shown = []
    for role, interaction, enrichment in rows:
        raw = viewer.reads_text(interaction.department_id)
        shown.append(
            {
                "role": role,
                "interaction": interaction,
                "enrichment": enrichment,
                "raw": interaction.text if raw else None,
                "withheld": not raw and bool(interaction.text) and enrichment is None,
            }
        )
    return shown


def _history(session: Session, case: Case) -> list[dict[str, Any]]:
    """Events in order, a reply with its message's delivery status and text."""
    events = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )
    messages = {
        m.id: m for m in session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id))
    }
    reply_texts = {
        i.id: i.text
        for i in session.scalars(
            select(Interaction).where(
                Interaction.id.in_(
                    [m.interaction_id for m in messages.values() if m.interaction_id]
                )
            )
        )
    }
    people = {
        u.id: u.email
        for u in session.scalars(
            select(User).where(
                User.id.in_(
                    {e.data.get("assignee_id") for e in events if e.data.get("assignee_id")}
                )
            )
        )
    }
    shown = []
    for event in events:
        message = messages.get(event.data.get("message_id") or 0)
        shown.append(
            {
                "event": event,
                "message": message,
                "text": reply_texts.get(message.interaction_id or 0) if message else None,
                "assignee": people.get(event.data.get("assignee_id") or 0),
            }
        )
    return shown


def _case_page(
    request: Request,
    session: Session,
    user: User,
    directory: Directory,
    case: Case,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, str] | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    viewer = viewer_of(session, user, client_ip(request))
    now = utcnow()
    customer = visible_customer(
        session, read_customer(session, get_customer(session, case.customer_id)), viewer=viewer
    )
    department = directory.departments.get(case.department_id or 0)
    deadline = next_deadline(case, directory.calendar(case.department_id), now)
    assignee = session.get(User, case.assignee_id) if case.assignee_id else None
    templates = list(
        session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.name, ReplyTemplate.language))
    )
    context = {
        "case": case,
        "customer": customer,
        "department": department,
        "assignee": assignee,
        "deadline_text": deadline_text(deadline),
        "sla": _sla(case, now),
        "linked": _linked(session, case, viewer),
        "history": _history(session, case),
        "templates": templates,
        "agents": directory.agents(case.department_id) if case.department_id else [],
        "departments": sorted(directory.departments.values(), key=lambda d: d.name),
        "statuses": [s.value for s in sorted(TRANSITIONS[CaseStatus(case.status)])],
        "priorities": list(Priority),
        "can_work": viewer.can(Permission.cases_work),
        "errors": errors or {},
        "values": values or {},
        "done": DONE.get(done or ""),
        "filters": TimelineFilters(),
        "partial": False,
        "continued": False,
        **timeline_context(session, case.customer_id, TimelineFilters(), None, viewer),
    }
    return render(
        request, "cases/case.html", context, user=user, active="cases", status_code=status_code
    )


def _directory(session: Session, default_timezone: str) -> Directory:
    return Directory(session, default_timezone=default_timezone)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    done: Annotated[str | None, Query(max_length=20)] = None,
    template: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The case; ``template`` fills the reply form with a template (without JavaScript)."""
    scope = workspace_scope(session, user)
    case = visible_case(session, scope, case_id)
    if case.merged_into_id is not None and case.merged_into_id != case.id:
        merged_into = session.get(Case, case.merged_into_id)
        if merged_into is not None and sees(scope, merged_into):
            return RedirectResponse(f"/cases/{merged_into.id}", status_code=303)
    directory = _directory(session, settings.default_timezone)
    chosen = session.get(ReplyTemplate, template) if template is not None else None
    values = {"subject": chosen.subject, "body": chosen.body} if chosen is not None else None
    return _case_page(request, session, user, directory, case, done=done, values=values)


Action = Callable[[Directory, Case], object]


def _act(
    request: Request,
    session: Session,
    user: User,
    default_timezone: str,
    case_id: int,
    form: str,
    action: Action,
    values: dict[str, str],
) -> Response:
    """Find the case in scope, check the right to work it, act, and answer: back to the case
    on success, the page with the message next to the field otherwise."""
    scope = workspace_scope(session, user)
    if Permission.cases_work not in permissions_for(session, user.role):
        raise Forbidden(
            f"working cases needs the permission cases.work, which the role '{user.role}' "
            "does not have; ask an admin"
        )
    case = visible_case(session, scope, case_id, for_update=True)
    directory = _directory(session, default_timezone)
    try:
        action(directory, case)
        session.flush()
    except CxloopError as exc:
        if exc.status in (403, 404):
            raise
        session.rollback()
        case = visible_case(session, scope, case_id)
        directory = _directory(session, default_timezone)
        errors = {form: {field_of(exc, "form"): exc.detail}}
        return _case_page(
            request,
            session,
            user,
            directory,
            case,
            errors=errors,
            values=values,
            status_code=exc.status,
        )
    return RedirectResponse(f"/cases/{case.id}?done={form}#{form}", status_code=303)


Short = Annotated[str, Form(max_length=300)]


@router.post("/cases/{case_id}/reply")
def post_reply(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    body: Annotated[str, Form(max_length=60_000)] = "",
    subject: Short = "",
    then: Short = CaseStatus.waiting.value,
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        return reply(directory, case.id, author=user, body=body, subject=subject, then=then)

    values = {"body": body, "subject": subject, "then": then}
    return _act(request, session, user, settings.default_timezone, case_id, "reply", act, values)


@router.post("/cases/{case_id}/note")
def post_note(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        return add_note(directory.session, case, text, actor=user.email)

    values = {"text": text}
    return _act(request, session, user, settings.default_timezone, case_id, "note", act, values)


@router.post("/cases/{case_id}/status")
def post_status(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    status: Short = "",
    reason: Short = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        return set_status(directory, case, status, actor=user.email, reason=reason or None)

    values = {"status": status, "reason": reason}
    return _act(request, session, user, settings.default_timezone, case_id, "status", act, values)


@router.post("/cases/{case_id}/priority")
def post_priority(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    priority: Short = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        return set_priority(directory, case, priority, actor=user.email)

    values = {"priority": priority}
    return _act(request, session, user, settings.default_timezone, case_id, "priority", act, values)


@router.post("/cases/{case_id}/tags")
def post_tags(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    tags: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        return set_tags(directory.session, case, tags.split(","), actor=user.email)

    values = {"tags": tags}
    return _act(request, session, user, settings.default_timezone, case_id, "tags", act, values)


@router.post("/cases/{case_id}/assign")
def post_assign(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    assignee_id: Short = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        chosen = _person(assignee_id, user)
        return assign(directory, case, chosen, actor=user.email)

    values = {"assignee_id": assignee_id}
    return _act(request, session, user, settings.default_timezone, case_id, "assign", act, values)


def _person(value: str, user: User) -> int | None:
    if value == "me":
        return user.id
    return _number(value, "assignee_id", "Choose a person from the list.") if value else None


def _number(value: str, field: str, message: str) -> int:
    if not value.strip().isdigit():
        raise ValidationFailed(message, field=field)
    return int(value)


@router.post("/cases/{case_id}/transfer")
def post_transfer(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    department_id: Short = "",
    queue: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    def act(directory: Directory, case: Case) -> object:
        chosen = _number(department_id, "department_id", "Choose a department from the list.")
        return transfer(directory, case, chosen, actor=user.email, queue=queue.strip())

    values = {"department_id": department_id, "queue": queue}
    return _act(request, session, user, settings.default_timezone, case_id, "transfer", act, values)


@router.post("/cases/{case_id}/merge")
def post_merge(
    request: Request,
    case_id: int,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    into: Short = "",
) -> Response:
    """Fold this case into another one (the one that stays), which must be in scope too."""
    scope = workspace_scope(session, user)
    target: list[Case] = []

    def act(directory: Directory, case: Case) -> object:
        kept = _number(into, "into", "Give the number of the case to keep.")
        try:
            winner = visible_case(directory.session, scope, kept)
        except NotFound as exc:
            raise ValidationFailed(exc.detail, field="into") from None
        target.append(winner)
        return merge(directory, winner, case, actor=user.email)

    answer = _act(
        request, session, user, settings.default_timezone, case_id, "merge", act, {"into": into}
    )
    if target and answer.status_code == 303:
        return RedirectResponse(f"/cases/{target[0].id}?done=merge", status_code=303)
    return answer
