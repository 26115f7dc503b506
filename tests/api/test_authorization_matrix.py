"""Every API route x every role gets exactly the answer the permission matrix allows.

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

from cxloop.accounts import BUILTIN_ROLES, Permission, create_role, permissions_for
from cxloop.app import create_app
from tests.accounts.factories import bearer, make_token

CUSTOM_ROLES = {"auditor": [Permission.audit_read.value, Permission.customers_read.value]}
ROLES = [*BUILTIN_ROLES, *CUSTOM_ROLES]
WRITE_KEY_ROUTES = {"/api/v1/inbound/email"}
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
