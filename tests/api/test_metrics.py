"""``/api/v1/metrics`` and ``/api/v1/journeys``: the catalogue, grouped values with intervals,
the funnel, and clear bad-input errors."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY, answer_all, make_scores_survey, nps_answers
from tests.interactions.factories import make_interaction

PROBLEM = "application/problem+json"
WINDOW = {"from": MONDAY.isoformat(), "to": (MONDAY + timedelta(days=7)).isoformat()}


@pytest.fixture
def auth(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.viewer, scopes=["read"]))


@pytest.mark.parametrize("path", ["/api/v1/metrics", "/api/v1/metrics/nps"])
def test_metrics_need_a_signed_in_caller(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_the_catalogue_lists_every_built_in_definition(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/metrics", headers=auth)
    assert response.status_code == 200
    catalogue = {m["name"]: m for m in response.json()}
    assert {"nps", "csat", "ces", "ces_agree", "cx_index", "response_rate", "volume"} <= set(
        catalogue
    )
    nps = catalogue["nps"]
    assert nps["kind"] == "net_score" and nps["unit"] == "points"
    assert nps["formula"] == "100 * (count(nps >= 9) - count(nps <= 6)) / count(nps)"
    assert "channel" in nps["dimensions"] and nps["version"] == 1


def test_nps_by_channel_and_week(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    survey = make_scores_survey(session)
    answer_all(
        session,
        survey,
        nps_answers([10, 9, 9, 9, 8, 7, 6, 3, 10, 10, 2], channel="phone", at=MONDAY)
        + nps_answers([10] * 4, channel="app", at=MONDAY + timedelta(days=1)),
    )
    response = client.get(
        "/api/v1/metrics/nps", params={"by": "channel,week", **WINDOW}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["by"] == ["channel", "week"] and body["min_n"] == 10
    phone, app = sorted(body["groups"], key=lambda g: g["key"]["channel"], reverse=True)
    assert phone["key"] == {"channel": "phone", "week": MONDAY.date().isoformat()}
    assert phone["current"]["n"] == 11
    assert phone["current"]["value"] == pytest.approx(100 * (6 - 3) / 11)
    assert phone["current"]["low"] < phone["current"]["value"] < phone["current"]["high"]
    assert app["current"] == {"n": 4, "value": None, "low": None, "high": None, "suppressed": True}
    assert body["total"]["current"]["n"] == 15


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"by": "colour"}, 422, "cannot be grouped by 'colour'"),
        ({"filter": "channel"}, 422, "should read dimension:value"),
        ({"filter": "mood:happy"}, 422, "cannot be filtered by 'mood'"),
        ({"from": "2026-03-09T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, 422, "'from' must be"),
        ({"from": "yesterday"}, 422, "from"),
    ],
)
def test_bad_queries_answer_problem_json_naming_the_problem(
    client: TestClient, auth: dict[str, str], params: dict[str, str], status: int, detail: str
) -> None:
    response = client.get("/api/v1/metrics/nps", params=params, headers=auth)
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    assert detail in response.json()["detail"]


def test_an_unknown_metric_is_404(client: TestClient, auth: dict[str, str]) -> None:
    response = client.get("/api/v1/metrics/happiness", headers=auth)
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert "no metric named 'happiness'" in response.json()["detail"]


def test_a_period_without_data_is_n_zero_not_an_error(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = client.get("/api/v1/metrics/csat", params={"by": "channel", **WINDOW}, headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["groups"] == [] and body["total"]["current"]["n"] == 0
    assert body["total"]["current"]["value"] is None


def test_the_journey_funnel_over_http(
    client: TestClient, session: Session, auth: dict[str, str]
) -> None:
    customer = make_customer(session, email="funnel@example.com")
    for hours, stage in [(0, "awareness"), (3, "consideration")]:
        make_interaction(
            session,
            customer_id=customer.id,
            stage=stage,
            occurred_at=MONDAY + timedelta(hours=hours),
        )
    params = {"stages": "awareness,consideration", **WINDOW}
    response = client.get("/api/v1/journeys/funnel", params=params, headers=auth)
    assert response.status_code == 200, response.text
    steps = response.json()["steps"]
    assert [(s["stage"], s["customers"]) for s in steps] == [("awareness", 1), ("consideration", 1)]
    assert steps[1]["mean_hours"] == pytest.approx(3.0)

    bad = client.get(
        "/api/v1/journeys/funnel", params={"stages": "awareness,nirvana"}, headers=auth
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    assert "unknown journey stage 'nirvana'" in bad.json()["detail"]
    assert client.get("/api/v1/journeys/funnel").status_code == 401


def test_export_writes_the_same_numbers_as_a_file(
    client: TestClient, session: Session, auth: dict[str, str], tmp_path
) -> None:
    survey = make_scores_survey(session)
    answer_all(session, survey, nps_answers([10] * 8 + [0] * 4, channel="phone", at=MONDAY))
    params = {"by": "channel", **WINDOW}
    response = client.get(
        "/api/v1/metrics/nps/export", params={"format": "csv", **params}, headers=auth
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="nps.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["channel"], r["n"]) for r in rows] == [("(all)", "12"), ("phone", "12")]
    assert float(rows[1]["value"]) == pytest.approx(100 * 4 / 12)

    parquet = client.get(
        "/api/v1/metrics/nps/export", params={"format": "parquet", **params}, headers=auth
    )
    (tmp_path / "nps.parquet").write_bytes(parquet.content)
    table = pq.read_table(tmp_path / "nps.parquet").to_pylist()
    assert table[1]["n"] == 12 and table[1]["significant"] is False

    bad = client.get("/api/v1/metrics/nps/export", params={"format": "pdf"}, headers=auth)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
