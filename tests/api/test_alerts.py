"""``/api/v1/alerts`` and ``/api/v1/reports``: analysts state rules and reports, viewers
read them, and bad input answers problem+json naming the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.accounts.factories import bearer, make_token

PROBLEM = "application/problem+json"
RULE = {
    "name": "Store NPS falls",
    "metric": "nps",
    "kind": "drop",
    "filters": ["channel:store"],
    "addresses": ["cx-team@example.com"],
    "webhook_url": "https://hooks.slack.com/services/T/B/X",
}


def test_an_analyst_adds_changes_and_removes_a_rule_that_a_viewer_may_only_read(
    client: TestClient, session: Session
) -> None:
    analyst = bearer(make_token(session, role="analyst", scopes=["read", "write"]))
    viewer = bearer(make_token(session, role="viewer", scopes=["read", "write"]))

    created = client.post("/api/v1/alerts", json=RULE, headers=analyst)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["webhook_format"] == "chat" and rule["days"] == 7 and rule["active"] is True

    assert client.post("/api/v1/alerts", json=RULE, headers=viewer).status_code == 403
    assert [r["name"] for r in client.get("/api/v1/alerts", headers=viewer).json()] == [
        "Store NPS falls"
    ]

    changed = client.put(
        f"/api/v1/alerts/{rule['id']}", json=RULE | {"active": False}, headers=analyst
    )
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert client.delete(f"/api/v1/alerts/{rule['id']}", headers=analyst).status_code == 204
    missing = client.get(f"/api/v1/alerts/{rule['id']}", headers=viewer)
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM


def test_bad_rules_answer_problem_json_naming_what_to_fix(
    client: TestClient, session: Session
) -> None:
    admin = bearer(make_token(session, role="admin", scopes=["read", "write"]))
    unknown = client.post("/api/v1/alerts", json=RULE | {"metric": "nsp"}, headers=admin)
    assert unknown.status_code == 422 and unknown.headers["content-type"] == PROBLEM
    assert "no metric named 'nsp'" in unknown.json()["detail"]
    no_threshold = client.post("/api/v1/alerts", json=RULE | {"kind": "below"}, headers=admin)
    assert no_threshold.status_code == 422
    assert "take a threshold" in no_threshold.text
    client.post("/api/v1/alerts", json=RULE, headers=admin)
    taken = client.post("/api/v1/alerts", json=RULE, headers=admin)
    assert taken.status_code == 409 and "is taken" in taken.json()["detail"]


def test_a_weekly_report_is_stated_and_listed(client: TestClient, session: Session) -> None:
    admin = bearer(make_token(session, role="admin", scopes=["read", "write"]))
    report = {"name": "Monday digest", "metrics": ["nps", "csat"], "addresses": ["b@example.com"]}
    created = client.post("/api/v1/reports", json=report, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["frequency"] == "weekly"
    listed = client.get("/api/v1/reports", headers=admin).json()
    assert [(r["name"], r["metrics"]) for r in listed] == [("Monday digest", ["nps", "csat"])]
    bad = client.post("/api/v1/reports", json=report | {"frequency": "hourly"}, headers=admin)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
