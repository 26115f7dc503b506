"""Jinja2 (autoescaped), the shared page context and the headers every page carries.

Pages never use inline scripts or styles, so the Content-Security-Policy can forbid them:
an injected ``<script>`` would be both escaped and refused.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import object_session

from cxloop import __version__
from cxloop.accounts import BUILTIN_ROLES, User, permissions_for
from cxloop.web.nav import NavItem, nav_items
from cxloop.web.security import csrf_token

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


@jinja2.pass_context
def _datetime(context: jinja2.runtime.Context, value: datetime | None) -> str:
    """Stored times are UTC; people read them in the company's zone, named on the page."""
    if not value:
        return ""
    return value.astimezone(ZoneInfo(context["timezone"])).strftime("%Y-%m-%d %H:%M %Z")


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _value(value: Any) -> str:
    """A trait value as people read it: text as is, structures as compact JSON."""
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["datetime"] = _datetime
environment.filters["date"] = _date
environment.filters["iso"] = _iso
environment.filters["value"] = _value


def _nav_for(user: User | None) -> list[NavItem]:
    """The navigation a signed-in user may use (their role read in the request's session)."""
    if user is None:
        return []
    session = object_session(user)
    if session is None:
        return nav_items(BUILTIN_ROLES.get(user.role, frozenset()))
    return nav_items(permissions_for(session, user.role))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    active: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """Render ``template`` with the layout's context and the security headers."""
    page: dict[str, Any] = {
        "request": request,
        "user": user,
        "active": active,
        "nav_items": _nav_for(user),
        "csrf_token": csrf_token(request),
        "version": __version__,
        "timezone": request.app.state.settings.default_timezone,
    }
    page.update(context or {})
    html = environment.get_template(template).render(page)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response
