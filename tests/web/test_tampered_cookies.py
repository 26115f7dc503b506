"""A session cookie altered in any way (its signature, its payload, or replaced by garbage) is
no session: the visitor is signed out, pages send them to the sign-in form, the API answers
401 problem+json, and nothing fails with a 500."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import make_user
from tests.web.helpers import damaged_signature, sign_in

COOKIE = "cxloop_session"


def _signed_in_cookie(client: TestClient, session: Session) -> str:
    viewer = make_user(session, role=Role.viewer)
    assert sign_in(client, viewer.email).status_code == 303
    cookie = client.cookies.get(COOKIE)
    assert cookie and client.get("/api/v1/customers").status_code == 200
    return cookie


def _forged_payload(cookie: str, admin_id: int) -> str:
    """Another user's id in the payload, kept with the genuine timestamp and signature."""
    _payload, stamp, signature = cookie.rsplit(".", 2)
    forged = base64.b64encode(json.dumps({"user_id": admin_id}).encode()).decode()
    return f"{forged}.{stamp}.{signature}"


@pytest.mark.parametrize("how", ["signature", "payload", "garbage"])
def test_a_tampered_session_cookie_signs_the_visitor_out(
    client: TestClient, session: Session, how: str
) -> None:
    cookie = _signed_in_cookie(client, session)
    admin = make_user(session, role=Role.admin)
    tampered = {
        "signature": damaged_signature(cookie),
        "payload": _forged_payload(cookie, admin.id),
        "garbage": "not-a-cookie!!{}",
    }[how]
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)  # the genuine cookie, set the same way, still works
    assert client.get("/api/v1/customers").status_code == 200
    client.cookies.clear()
    client.cookies.set(COOKIE, tampered)

    api = client.get("/api/v1/customers")
    page = client.get("/customers", follow_redirects=False)

    assert api.status_code == 401
    assert api.headers["content-type"].startswith("application/problem+json")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
