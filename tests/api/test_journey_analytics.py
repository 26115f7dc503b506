"""``/api/v1/journeys/*`` and ``/api/v1/drivers``: the figures as JSON, and bad input as
problem+json naming what was wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY, Answer, answer, make_scores_survey
from tests.interactions.factories import make_interaction

PROBLEM = "application/problem+json"
WINDOW = {"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=30)).isoformat()}


@pytest.fixture
def auth(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.viewer, scopes=["read"]))


@pytest.fixture
def tried_then_called(session: Session) -> None:
    """Twelve customers: a web visit, then a call two hours later, then an NPS answer."""
    survey = make_scores_survey(session)
    for i in range(12):
        customer = make_customer(session)
        for channel, stage, hours in [("web", "support", 1), ("phone", "support", 3)]:
            make_interaction(
                session,
                customer_id=customer.id,
                channel=channel,
                stage=stage,
                assisted=channel == "phone",
                type="call" if channel == "phone" else "page_viewed",
                occurred_at=MONDAY + timedelta(hours=hours),
            )
        at = MONDAY + timedelta(days=1, minutes=i)
        answer(session, survey, Answer(at=at, nps=3 if i < 6 else 10, customer_id=customer.id))


def test_paths_between_channels(
    client: TestClient, auth: dict[str, str], tried_then_called: None
) -> None:
    response = client.get(
        "/api/v1/journeys/paths", params={"by": "channel", **WINDOW}, headers=auth
    )
    assert response.status_code == 200
    body = response.json()
    assert body["customers"] == 12
    assert body["paths"][0]["steps"] == ["web", "phone"]
    assert body["paths"][0]["customers"]["value"] == pytest.approx(100.0)


def test_failed_self_service(
    client: TestClient, auth: dict[str, str], tried_then_called: None
) -> None:
    body = client.get("/api/v1/journeys/switching", params=WINDOW, headers=auth).json()
    assert (body["total"]["count"], body["total"]["n"]) == (12, 12)
    assert body["time"]["median_hours"] == pytest.approx(2.0)
    assert body["rows"][0]["self_service"] == "web" and body["rows"][0]["help_channel"] == "phone"


def test_stage_times_and_precursors_answer(
    client: TestClient, auth: dict[str, str], tried_then_called: None
) -> None:
    times = client.get("/api/v1/journeys/stage-times", params=WINDOW, headers=auth)
    assert times.status_code == 200 and times.json()[0]["from_stage"] == "awareness"
    found = client.get(
        "/api/v1/journeys/precursors", params={"outcome": "detractor", **WINDOW}, headers=auth
    ).json()
    assert (found["overall"]["count"], found["overall"]["n"]) == (6, 12)
    assert found["precursors"] == []  # everyone had the same touchpoints: nothing to compare
    assert found["too_few"] == 4


def test_drivers_of_nps(client: TestClient, auth: dict[str, str], tried_then_called: None) -> None:
    response = client.get("/api/v1/drivers/nps", params=WINDOW, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["n"] == 12 and body["suppressed"]  # no driver varies between the answers
    assert body["unit"].startswith("NPS points")


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/api/v1/drivers/ces", {}, 404, "nps or csat"),
        ("/api/v1/journeys/paths", {"by": "mood"}, 422, "by"),
        ("/api/v1/journeys/precursors", {"outcome": "joy"}, 422, "outcome"),
        ("/api/v1/journeys/switching", {"from": "2026-03-02T00:00:00"}, 422, "time zone"),
        (
            "/api/v1/journeys/stage-times",
            {"from": "2026-03-09T00:00:00Z", "to": "2026-03-02T00:00:00Z"},
            422,
            "before",
        ),
        ("/api/v1/journeys/stage-times", {"stages": "awareness,nirvana"}, 422, "nirvana"),
    ],
)
def test_bad_input_is_a_clear_problem(
    client: TestClient,
    auth: dict[str, str],
    path: str,
    params: dict[str, str],
    status: int,
    says: str,
) -> None:
    response = client.get(path, params=params, headers=auth)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert says in response.text


def test_the_funnel_without_stages_takes_them_all(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/api/v1/journeys/funnel", params=WINDOW, headers=auth)
    assert response.status_code == 200
    assert response.json()["steps"][0]["stage"] == "awareness"
