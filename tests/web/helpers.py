"""Signing in through the real form, as a browser would, and damaging what the server signed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.accounts.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/customers"):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next},
        follow_redirects=False,
    )


def damaged_signature(token: str) -> str:
    """A signed token (a session cookie, a survey link) with its signature's first character
    changed. Not its last: that character carries unused base64 bits, so changing it can
    leave the signature valid."""
    head, signature = token.rsplit(".", 1)
    first = "A" if signature[0] != "A" else "B"
    return f"{head}.{first}{signature[1:]}"
