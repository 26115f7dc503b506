"""/api/v1/playbooks: team leads state the next-best-action rules, in order, and switch
them off; the same checks as in code, answered as problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.accounts.factories import bearer, make_token
from tests.cases.factories import make_team
from tests.experiments.factories import make_experiment


def test_a_lead_states_playbooks_in_order_and_switches_one_off(
    client: TestClient, session: Session
) -> None:
    make_team(session, "retention")
    experiment = make_experiment(session)
    admin = bearer(make_token(session, role="admin"))

    first = client.post(
        "/api/v1/playbooks",
        json={"name": "Save valuable", "min_risk": 0.4, "department": "retention",
              "trait": "monthly_value", "trait_min": 50, "tags": ["save"]},
        headers=admin,
    )  # fmt: skip
    second = client.post(
        "/api/v1/playbooks",
        json={"name": "Try a credit", "min_risk": 0.6, "action": "experiment",
              "experiment_id": experiment.id},
        headers=admin,
    )  # fmt: skip
    off = client.patch(f"/api/v1/playbooks/{first.json()['id']}", json={"active": False},
                       headers=admin)  # fmt: skip
    listed = client.get("/api/v1/playbooks", headers=bearer(make_token(session, role="viewer")))

    assert first.status_code == second.status_code == 201, first.text
    assert off.json()["active"] is False
    assert [(p["name"], p["position"], p["active"]) for p in listed.json()] == [
        ("Save valuable", 1, False),
        ("Try a credit", 2, True),
    ]


def test_bad_playbooks_are_refused_with_the_field(client: TestClient, session: Session) -> None:
    admin = bearer(make_token(session, role="admin"))

    ghost = client.post(
        "/api/v1/playbooks",
        json={"name": "x", "min_risk": 0.5, "action": "experiment", "experiment_id": 999},
        headers=admin,
    )
    nowhere = client.post(
        "/api/v1/playbooks", json={"name": "y", "min_risk": 0.5, "department": "nope"},
        headers=admin,
    )  # fmt: skip
    client.post("/api/v1/playbooks", json={"name": "z", "min_risk": 0.5}, headers=admin)
    twin = client.post("/api/v1/playbooks", json={"name": "z", "min_risk": 0.7}, headers=admin)

    assert ghost.status_code == 422 and "experiment" in ghost.json()["detail"]
    assert nowhere.status_code == 422 and "no department 'nope'" in nowhere.json()["detail"]
    assert twin.status_code == 409
    assert twin.headers["content-type"].startswith("application/problem+json")


def test_a_playbook_on_detraction_risk_states_its_threshold(
    client: TestClient, session: Session
) -> None:
    admin = bearer(make_token(session, role="admin"))

    made = client.post(
        "/api/v1/playbooks",
        json={"name": "Call likely detractors", "min_risk": 0, "min_detraction": 0.6},
        headers=admin,
    )
    beyond = client.post(
        "/api/v1/playbooks", json={"name": "w", "min_risk": 0, "min_detraction": 1.5},
        headers=admin,
    )  # fmt: skip

    assert made.status_code == 201 and made.json()["min_detraction"] == 0.6
    assert beyond.status_code == 422
    assert beyond.headers["content-type"].startswith("application/problem+json")
