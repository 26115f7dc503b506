"""Every answer carries the security headers and lands in the latency histogram by route."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Connection

from cxloop.app import create_app
from cxloop.settings import Settings


def _observed(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "cxloop_http_request_seconds_count",
        {"method": "GET", "route": route, "status": status},
    )
    return value or 0.0


def test_pages_api_and_errors_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/healthz", "/login", "/api/v1/customers", "/no-such-page"):
        headers = client.get(path, follow_redirects=False).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        assert headers["x-frame-options"] == "DENY", path
        assert "strict-transport-security" not in headers, path


def test_https_deployments_also_pin_https(connection: Connection, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key", https_only_cookies=True)
    with TestClient(create_app(settings, engine=connection, migrate=False)) as client:
        headers = client.get("/healthz").headers
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_requests_are_timed_under_their_route_and_status(client: TestClient) -> None:
    before_ok = _observed("/healthz", "200")
    before_missing = _observed("unmatched", "404")

    client.get("/healthz")
    client.get("/no-such-page")

    assert _observed("/healthz", "200") == before_ok + 1
    assert _observed("unmatched", "404") == before_missing + 1
