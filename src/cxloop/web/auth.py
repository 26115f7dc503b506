"""Sign-in and sign-out pages: a plain HTML form (fields ``email`` and ``password``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cxloop.accounts import authenticate
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.errors import Unauthenticated
from cxloop.privacy import audit, count_recent
from cxloop.settings import Settings
from cxloop.types import utcnow
from cxloop.web import oidc
from cxloop.web.routing import PageRoute
from cxloop.web.security import (
    DEFAULT_LANDING,
    CsrfChecked,
    MaybeUser,
    client_ip,
    safe_next,
    start_session,
)
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
router.include_router(oidc.router)  # single sign-on, when configured

# Guessing is slowed to a crawl: a few tries per account, more per address (offices share one).
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
THROTTLED = "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password."


def _throttled(session: Session, actor: str, ip: str | None) -> bool:
    since = utcnow() - THROTTLE_WINDOW
    failed = "sign_in.failed"
    if count_recent(session, action=failed, since=since, actor=actor) >= MAX_FAILURES_PER_ACCOUNT:
        return True
    return (
        ip is not None
        and count_recent(session, action=failed, since=since, ip=ip) >= MAX_FAILURES_PER_ADDRESS
    )


@router.get("/")
def home(user: MaybeUser) -> Response:
    """Signed in: the customer search; signed out: the sign-in form."""
    return RedirectResponse(DEFAULT_LANDING if user else "/login", status_code=303)


def _login_page(
    request: Request,
    settings: Settings,
    next: str | None,
    *,
    error: str | None = None,
    email: str = "",
    status_code: int = 200,
) -> Response:
    context = {
        "next": safe_next(next),
        "error": error,
        "email": email,
        # The password form stays below single sign-on: it is the admin's way in when the
        # identity provider is down or misconfigured.
        "sso_name": settings.oidc_provider_name if settings.oidc_enabled else None,
        "sso_url": f"/auth/oidc/login?{urlencode({'next': safe_next(next)})}",
    }
    return render(request, "login.html", context, status_code=status_code)


@router.get("/login")
def login_form(
    request: Request, user: MaybeUser, settings: SettingsDep, next: str | None = None
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, settings, next)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfChecked,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = DEFAULT_LANDING,
) -> Response:
    ip = client_ip(request)
    actor = email.strip().lower()[:320] or "(blank)"
    if _throttled(session, actor, ip):
        audit(session, actor=actor, action="sign_in.throttled", ip=ip)
        response = _login_page(
            request, settings, next, error=THROTTLED, email=email, status_code=429
        )
        response.headers["Retry-After"] = str(int(THROTTLE_WINDOW.total_seconds()))
        return response
    try:
        user = authenticate(session, email=email, password=password)
    except Unauthenticated:
        audit(session, actor=actor, action="sign_in.failed", ip=ip)
        wrong = "Email or password is wrong."
        return _login_page(request, settings, next, error=wrong, email=email, status_code=400)
    audit(session, actor=user.email, action="sign_in.succeeded", ip=ip, method="password")
    start_session(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, _csrf: CsrfChecked) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
