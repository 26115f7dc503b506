"""Pages ask for the same permissions as the API, and the navigation shows only what a role
may open."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import create_role
from tests.accounts.factories import make_user
from tests.web.helpers import sign_in

MAIN_NAV = re.compile(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', re.S)
PAGES = {
    "/customers": "Customers",
    "/dashboard": "Dashboard",
    "/alerts": "Alerts",
    "/text": "Text analytics",
    "/surveys": "Surveys",
    "/cases": "Cases",
    "/privacy": "Privacy",
    "/at-risk": "At risk",
}


def main_nav(html: str) -> str:
    match = MAIN_NAV.search(html)
    assert match, "the page has no main navigation"
    return match.group(1)


@pytest.fixture
def auditor(client: TestClient, session: Session) -> None:
    """A custom role that may read the audit log and nothing else."""
    create_role(session, name="auditor", permissions=["audit.read"])
    user = make_user(session, role="auditor")
    assert sign_in(client, user.email, next="/privacy/audit").status_code == 303


def test_a_role_without_the_permission_is_refused_every_page(
    client: TestClient, auditor: None
) -> None:
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "ask an admin" in answer.text


def test_the_navigation_shows_only_what_the_role_may_open(
    client: TestClient, auditor: None
) -> None:
    html = main_nav(client.get("/privacy/audit").text)
    for path, label in PAGES.items():
        assert f'href="{path}"' not in html, label


def test_an_admin_sees_every_section(client: TestClient, session: Session) -> None:
    admin = make_user(session, role="admin")
    sign_in(client, admin.email)
    html = main_nav(client.get("/customers").text)
    for path in PAGES:
        assert f'href="{path}"' in html, path
