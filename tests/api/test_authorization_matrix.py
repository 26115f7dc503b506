"""Every API route x every role (and another department's agent) gets exactly the answer the
permission matrix allows.

A route must declare the permissions it needs; a route added without one fails here, so
nothing reaches production unguarded by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import (
    BUILTIN_ROLES,
    Permission,
    User,
    create_role,
    create_token,
    permissions_for,
)
from cxloop.app import create_app
from tests.accounts.factories import bearer, make_token
from tests.api.department_scope import (
    EMAIL,
    NAME,
    PHONE,
    RAW_TEXT,
    BillingWorld,
    leaks,
    make_billing_world,
)

CUSTOM_ROLES = {"auditor": [Permission.audit_read.value, Permission.customers_read.value]}
ROLES = [*BUILTIN_ROLES, *CUSTOM_ROLES]
WRITE_KEY_ROUTES = {"/api/v1/inbound/email", "/api/v1/inbound/bounces"}
"""Opened by a source's write key (the HTTP Basic user, as ingest), never by a user's role:
every role's token is refused like no credentials at all."""


def _requirements(route: Any) -> Iterator[frozenset[Any]]:
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        call = dependency.call
        if hasattr(call, "permissions"):
            yield call.permissions
        pending.extend(dependency.dependencies)


def _flatten(routes: list[Any]) -> Iterator[Any]:
    """Each route with its full path, also through routers FastAPI includes lazily."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()


def api_routes() -> list[Any]:
    app = create_app(migrate=False)
    return [r for r in _flatten(app.routes) if r.path.startswith("/api/")]


ROUTES = [(route, method) for route in api_routes() for method in sorted(route.methods)]


def test_every_api_route_declares_what_it_needs() -> None:
    unguarded = [
        f"{m} {r.path}"
        for r, m in ROUTES
        if not list(_requirements(r)) and r.path not in WRITE_KEY_ROUTES
    ]
    assert unguarded == [], f"routes without a permission: {unguarded}"


def _allowed(session: Session, route: Any, role: str) -> bool:
    granted = permissions_for(session, role)
    return all(needed <= granted for needed in _requirements(route))


def _path(route: Any) -> str:
    return re.sub(r"\{[^}]+\}", "1", route.path)


@pytest.fixture
def tokens(session: Session) -> dict[str, dict[str, str]]:
    for name, permissions in CUSTOM_ROLES.items():
        create_role(session, name=name, permissions=permissions)
    return {
        role: bearer(make_token(session, role=role, scopes=["read", "write"])) for role in ROLES
    }


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=lambda v: getattr(v, "path", v))
def test_each_role_gets_exactly_what_the_matrix_allows(
    client: TestClient,
    session: Session,
    tokens: dict[str, dict[str, str]],
    route: Any,
    method: str,
) -> None:
    body = {} if method in ("POST", "PUT", "PATCH") else None
    unauthenticated = client.request(method, _path(route), json=body)
    assert unauthenticated.status_code == 401, f"{method} {route.path} without credentials"
    if route.path in WRITE_KEY_ROUTES:
        for role in ROLES:
            answer = client.request(method, _path(route), json=body, headers=tokens[role])
            assert answer.status_code == 401, f"{role}'s token opened {route.path}"
            assert answer.headers["content-type"].startswith("application/problem+json")
        return
    for role in ROLES:
        answer = client.request(method, _path(route), json=body, headers=tokens[role])
        if _allowed(session, route, role):
            assert answer.status_code not in (401, 403), f"{role} refused {method} {route.path}"
        else:
            assert answer.status_code == 403, f"{role} got {answer.status_code} on {route.path}"
            assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.fixture
def billing(session: Session) -> BillingWorld:
    return make_billing_world(session)


def _agent_token(session: Session, agent: User) -> dict[str, str]:
    _token, plaintext = create_token(session, user=agent, scopes=["read", "write"])
    return bearer(plaintext)


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=lambda v: getattr(v, "path", v))
def test_another_departments_agent_sees_no_raw_text_or_personal_data(
    client: TestClient, session: Session, billing: BillingWorld, route: Any, method: str
) -> None:
    """Support's agent holds pii.read and raw_text.read, yet a customer only billing dealt
    with stays masked and their words withheld, on every route, whatever it answers."""
    headers = _agent_token(session, billing.support_agent)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    answer = client.request(method, billing.path(route.path), json=body, headers=headers)
    assert answer.status_code < 500, f"{method} {route.path}: {answer.text}"
    assert leaks(answer.text) == [], f"{method} {route.path} showed support's agent {answer.text}"


OWN_DEPARTMENT_ROUTES = [
    "/api/v1/customers",
    "/api/v1/customers/{customer_id}",
    "/api/v1/customers/{customer_id}/timeline",
]


@pytest.mark.parametrize("path", OWN_DEPARTMENT_ROUTES)
def test_the_departments_own_agent_sees_it_all(
    client: TestClient, session: Session, billing: BillingWorld, path: str
) -> None:
    """The same routes the scope test reads, as billing's agent: what the other agent is
    denied is there (so the test above cannot pass by everything being empty)."""
    headers = _agent_token(session, billing.billing_agent)
    answer = client.get(billing.path(path), headers=headers)
    assert answer.status_code == 200
    expected = [RAW_TEXT] if path.endswith("timeline") else [NAME, EMAIL, PHONE]
    assert [s for s in expected if s not in answer.text] == []


def test_another_departments_agent_gets_the_profile_masked_not_refused(
    client: TestClient, session: Session, billing: BillingWorld
) -> None:
    headers = _agent_token(session, billing.support_agent)
    profile = client.get(billing.path("/api/v1/customers/{customer_id}"), headers=headers)
    assert profile.status_code == 200
    assert profile.json()["masked"] is True
    timeline = client.get(billing.path("/api/v1/customers/{customer_id}/timeline"), headers=headers)
    assert [i["text_hidden"] for i in timeline.json()["items"]] == [True, True]
    case = client.get(billing.path("/api/v1/cases/{case_id}"), headers=headers)
    assert case.status_code == 404
