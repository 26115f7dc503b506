"""Who may see a page, and proof that a form was posted from our own page (CSRF).

Pages answer a signed-out visitor with a redirect to the sign-in form (not the API's 401),
and every POST carries a per-session token kept in the signed session cookie.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from cxloop.accounts import User
from cxloop.api.deps import SESSION_USER_KEY, SessionDep
from cxloop.store.changes import Actor, act_as

CSRF_SESSION_KEY = "csrf_token"
CSRF_FIELD = "csrf_token"
DEFAULT_LANDING = "/customers"


class LoginRequired(Exception):
    """Raised by page dependencies; the page route class turns it into a redirect."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRejected(Exception):
    """A POST without the session's CSRF token; answered with a 403 page."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use so every form can embed it."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Reject a POST whose form token does not match the one in the signed session."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get(CSRF_SESSION_KEY)
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not expected
        or not secrets.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfRejected


CsrfChecked = Annotated[None, Depends(verify_csrf)]


def safe_next(value: str | None) -> str:
    """Only same-site paths may be redirected to after sign-in (no open redirect)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
    ):
        return DEFAULT_LANDING
    return value


def start_session(request: Request, user: User) -> None:
    """A new session on sign-in, so a token planted before it (session fixation) is worthless."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    csrf_token(request)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def login_url(next_url: str | None) -> str:
    return f"/login?next={quote(safe_next(next_url), safe='')}"


def signed_in_user(request: Request, session: SessionDep) -> User | None:
    user_id = request.session.get(SESSION_USER_KEY)
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    act_as(session, Actor(user.email, ip=client_ip(request), via="web"))
    return user


def page_user(request: Request, session: SessionDep) -> User:
    """The signed-in user, or a redirect to the sign-in form that comes back here."""
    user = signed_in_user(request, session)
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return user


PageUser = Annotated[User, Depends(page_user)]
MaybeUser = Annotated[User | None, Depends(signed_in_user)]
