"""Privacy pages for admins: data subject requests (open one, see what is due) and the audit
log (search, page through). The actions are the privacy domain's, as over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.errors import CxloopError
from cxloop.privacy import fulfil, list_requests, open_request, search_audit
from cxloop.types import utcnow
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("privacy", "Privacy", "/privacy", order=90, permission=Permission.privacy_manage.value)

Text = Annotated[str | None, Query(max_length=320)]


@router.get("/privacy")
def requests_page(
    request: Request, session: SessionDep, user: PageUser, done: int | None = None
) -> Response:
    """Requests, newest first, with their due dates; a form to record a new one."""
    require_permission(session, user, Permission.privacy_manage)
    return _requests_page(request, session, user, done=done)


def _requests_page(
    request: Request,
    session: Session,
    user: User,
    *,
    done: int | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "privacy/requests.html",
        {
            "requests": list_requests(session),
            "now": utcnow(),
            "done": done,
            "error": error,
            "can_audit": user_can(session, user, Permission.audit_read),
        },
        user=user,
        active="privacy",
        status_code=status_code,
    )


@router.post("/privacy/requests")
def create_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    customer_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    kind: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    require_permission(session, user, Permission.privacy_manage)
    try:
        data_request = open_request(
            session,
            customer_id=customer_id,
            kind=kind,
            requested_by=user.email,
            note=note or None,
        )
        fulfil(session, data_request, archive_dir=settings.data_dir / "privacy", actor=user.email)
    except CxloopError as exc:
        return _requests_page(request, session, user, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/privacy?done={data_request.id}", status_code=303)


@router.get("/privacy/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    action: Text = None,
    actor: Text = None,
    since: Annotated[datetime | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Who did what, newest first, filtered by action, person and date."""
    require_permission(session, user, Permission.audit_read)
    page = search_audit(
        session,
        action=action or None,
        actor=actor or None,
        since=since,
        cursor=cursor or None,
        limit=50,
    )
    return render(
        request,
        "privacy/audit.html",
        {"page": page, "action": action or "", "actor": actor or "", "since": since},
        user=user,
        active="privacy",
    )
