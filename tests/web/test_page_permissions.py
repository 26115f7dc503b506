"""Pages ask for the same permissions as the API, and the navigation shows only what a role
may open."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import create_role
from tests.accounts.factories import make_user
from tests.api.department_scope import EMAIL, NAME, RAW_TEXT, leaks, make_billing_world
from tests.web.helpers import sign_in

MAIN_NAV = re.compile(r'<nav class="main-nav" aria-label="Main">(.*?)</nav>', re.S)
PAGES = {
    "/customers": "Customers",
    "/dashboard": "Dashboard",
    "/journeys": "Journeys",
    "/drivers": "Drivers",
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


SCOPED_PAGES = [
    "/customers",
    "/customers?q=quibblewick",  # the query itself is echoed back, so a part of the name
    "/customers/{customer_id}",
    "/customers/{customer_id}/timeline",
    "/cases",
    "/cases/{case_id}",
    "/at-risk",
]


@pytest.mark.parametrize("path", SCOPED_PAGES)
def test_pages_hide_another_departments_customer_from_an_agent(
    client: TestClient, session: Session, path: str
) -> None:
    """The pages draw on the same rule as the API: support's agent sees billing's customer
    masked and their words withheld, billing's agent sees them."""
    world = make_billing_world(session)
    assert sign_in(client, world.support_agent.email).status_code == 303
    page = client.get(world.path(path), headers={"HX-Request": "true"})
    assert page.status_code in (200, 404), path
    assert leaks(page.text) == [], path


def test_the_departments_own_agent_sees_the_customer_page_whole(
    client: TestClient, session: Session
) -> None:
    world = make_billing_world(session)
    assert sign_in(client, world.billing_agent.email).status_code == 303
    page = client.get(world.path("/customers/{customer_id}"))
    assert [s for s in (NAME, EMAIL, RAW_TEXT) if s not in page.text] == []
