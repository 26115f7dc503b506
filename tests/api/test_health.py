from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Connection

from cxloop.app import create_app
from cxloop.settings import Settings


def test_healthz_answers_when_database_is_reachable(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "cxloop_http_request_seconds" in response.text


def test_unknown_route_is_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_hsts_is_sent_only_when_served_over_https(
    connection: Connection, settings: Settings, client: TestClient
) -> None:
    assert "strict-transport-security" not in client.get("/healthz").headers
    https = settings.model_copy(update={"https_only_cookies": True})
    with TestClient(create_app(https, engine=connection, migrate=False)) as secure:
        header = secure.get("/healthz").headers["strict-transport-security"]
    assert header == "max-age=31536000; includeSubDomains"
