"""SQL injection and path traversal probes on searches, filters, sorts and files: each is
plain data to cxloop (no match, or a clear 4xx), and every table is still there after."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.customers import Customer
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.interactions.factories import make_timeline

INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE customers; --",
    "x' UNION SELECT password_hash FROM users --",
    '") OR 1=1 --',
]


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.admin, scopes=["read", "write"]))


@pytest.fixture
def two_customers(session: Session) -> list[int]:
    customers = [make_customer(session, email=f"c{i}@example.com") for i in range(2)]
    make_timeline(session, customer_id=customers[0].id, count=5)
    return [c.id for c in customers]


@pytest.mark.parametrize("probe", INJECTIONS)
def test_search_and_filters_treat_injections_as_data(
    client: TestClient,
    session: Session,
    admin: dict[str, str],
    two_customers: list[int],
    probe: str,
) -> None:
    search = client.get("/api/v1/customers", params={"q": probe}, headers=admin)
    timeline = client.get(
        f"/api/v1/customers/{two_customers[0]}/timeline",
        params={"channel": probe, "stage": probe, "type": probe},
        headers=admin,
    )
    audit = client.get("/api/v1/audit", params={"action": probe, "actor": probe}, headers=admin)
    metric = client.get(
        "/api/v1/metrics/nps", params={"by": probe, "filter": f"channel={probe}"}, headers=admin
    )
    sort_or_cursor = client.get("/api/v1/customers", params={"cursor": probe}, headers=admin)

    assert (search.status_code, search.json()["items"]) == (200, [])
    assert (timeline.status_code, timeline.json()["items"]) == (200, [])
    assert (audit.status_code, audit.json()["items"]) == (200, [])
    assert 400 <= metric.status_code < 500
    assert sort_or_cursor.status_code == 422
    assert session.scalar(select(func.count()).select_from(Customer)) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/static/../settings.py",
        "/static/%2e%2e/%2e%2e/settings.py",
        "/static/..%2f..%2fapp.py",
        "/api/v1/privacy/requests/..%2f..%2fetc%2fpasswd/archive",
    ],
)
def test_paths_never_leave_their_directory(
    client: TestClient, admin: dict[str, str], path: str
) -> None:
    response = client.get(path, headers=admin)

    assert response.status_code in (404, 422)
    assert "import " not in response.text and "root:" not in response.text
