"""``/api/v1/surveys``: design, publish, invite and answer over REST, with clear refusals."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.interactions import Interaction
from cxloop.surveys import opt_out
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.surveys.factories import nps_definition


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return bearer(make_token(session, role=Role.admin))


def create_live(client: TestClient, admin: dict[str, str], key: str = "nps") -> int:
    created = client.post(
        "/api/v1/surveys",
        json={"key": key, "name": "NPS", "definition": nps_definition()},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    survey_id = int(created.json()["id"])
    assert client.post(f"/api/v1/surveys/{survey_id}/publish", headers=admin).status_code == 201
    return survey_id


def test_design_publish_edit_and_version(client: TestClient, admin: dict[str, str]) -> None:
    survey_id = create_live(client, admin)
    body = client.get(f"/api/v1/surveys/{survey_id}", headers=admin).json()
    assert (body["status"], body["live_version"], body["public_path"]) == ("live", 1, "/s/nps")

    edited = nps_definition(title={"en": "How was your delivery?"})
    patched = client.patch(
        f"/api/v1/surveys/{survey_id}", json={"definition": edited}, headers=admin
    )
    assert patched.json()["live_version"] == 1  # the edit waits in the draft
    assert client.post(f"/api/v1/surveys/{survey_id}/publish", headers=admin).json()["number"] == 2
    listed = client.get(f"/api/v1/surveys/{survey_id}/versions", headers=admin).json()
    assert [v["definition"]["title"]["en"] for v in listed] == [
        "How did we do?",
        "How was your delivery?",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "Bad Key", "name": "x", "definition": nps_definition()}, "key"),
        (
            {"key": "ok", "name": "x", "definition": nps_definition(questions=[])},
            "definition.questions",
        ),
    ],
)
def test_bad_survey_definitions_are_problems(
    client: TestClient, admin: dict[str, str], body: dict[str, object], field: str
) -> None:
    response = client.post("/api/v1/surveys", json=body, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == field


def test_out_of_range_and_unknown_answers_are_rejected_with_the_reason(
    client: TestClient, admin: dict[str, str]
) -> None:
    survey_id = create_live(client, admin)
    for answers, field, words in (
        ({"nps": 11}, "nps", "from 0 to 10"),
        ({"nps": 5, "colour": "red"}, "colour", "does not exist"),
    ):
        response = client.post(
            f"/api/v1/surveys/{survey_id}/responses", json={"answers": answers}, headers=admin
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field and words in response.json()["detail"]


def test_answers_from_elsewhere_land_on_the_timeline(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    survey_id = create_live(client, admin)
    ann = make_customer(session, email="ann@example.com")
    response = client.post(
        f"/api/v1/surveys/{survey_id}/responses",
        json={
            "answers": {"nps": 10, "review": "yes"},
            "customer_id": ann.id,
            "channel": "sms",
            "stage": "support",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "complete"
    stored = session.scalars(select(Interaction).where(Interaction.customer_id == ann.id)).one()
    assert (stored.channel, stored.stage, stored.properties["origin_channel"]) == (
        "survey",
        "support",
        "sms",
    )
    page = client.get(f"/api/v1/surveys/{survey_id}/responses", headers=admin).json()
    assert [r["answers"] for r in page["items"]] == [{"nps": 10, "review": "yes"}]


def test_invitations_respect_opt_out_and_cooldown_and_rates_count_them(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    survey_id = create_live(client, admin)
    ann, bob, cy = (make_customer(session, email=f"{n}@example.com") for n in ("ann", "bob", "cy"))
    opt_out(session, customer_id=cy.id)
    first = client.post(
        f"/api/v1/surveys/{survey_id}/invitations",
        json={"customer_ids": [ann.id, cy.id], "channel": "sms", "stage": "purchase"},
        headers=admin,
    ).json()
    assert [i["customer_id"] for i in first["invitations"]] == [ann.id]
    assert first["invitations"][0]["link"].startswith("http://127.0.0.1:8000/s/i/")
    assert first["suppressed"] == [{"customer_id": cy.id, "reason": "opted out of surveys"}]

    second = client.post(
        f"/api/v1/surveys/{survey_id}/invitations",
        json={"customer_ids": [ann.id, bob.id], "channel": "chat", "stage": "support"},
        headers=admin,
    ).json()
    assert [i["customer_id"] for i in second["invitations"]] == [bob.id]
    assert "in the last 30 days" in second["suppressed"][0]["reason"]

    rates = client.get(f"/api/v1/surveys/{survey_id}/rates?by=channel", headers=admin).json()
    assert [(r["group"], r["invited"], r["completed"]) for r in rates] == [
        ("chat", 1, 0),
        ("sms", 1, 0),
    ]


def test_roles_and_authentication(client: TestClient, session: Session) -> None:
    assert client.get("/api/v1/surveys").status_code == 401
    agent = bearer(make_token(session, role=Role.agent))
    assert client.get("/api/v1/surveys", headers=agent).status_code == 200
    refused = client.post(
        "/api/v1/surveys",
        json={"key": "x1", "name": "x", "definition": nps_definition()},
        headers=agent,
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    analyst = bearer(make_token(session, role=Role.analyst))
    assert client.get("/api/v1/surveys/999999", headers=analyst).status_code == 404


def test_trigger_rules_over_the_api(client: TestClient, admin: dict[str, str]) -> None:
    survey_id = create_live(client, admin)
    rule = {
        "name": "After a support case is closed",
        "type": "Case Closed",
        "stage": "support",
        "delay_minutes": 60,
        "sampling": 0.5,
        "quiet_start_hour": 21,
        "quiet_end_hour": 8,
    }
    created = client.post(f"/api/v1/surveys/{survey_id}/triggers", json=rule, headers=admin)
    assert created.status_code == 201, created.text
    listed = client.get(f"/api/v1/surveys/{survey_id}/triggers", headers=admin).json()
    assert [(t["name"], t["sampling"], t["active"]) for t in listed] == [(rule["name"], 0.5, True)]
    bad = client.post(
        f"/api/v1/surveys/{survey_id}/triggers",
        json={**rule, "quiet_end_hour": None},
        headers=admin,
    )
    assert bad.status_code == 422 and "quiet_end_hour" in bad.json()["detail"]

    trigger_id = listed[0]["id"]
    paused = client.patch(
        f"/api/v1/surveys/{survey_id}/triggers/{trigger_id}", json={"active": False}, headers=admin
    )
    assert paused.status_code == 200 and paused.json()["active"] is False
    missing = client.patch(
        f"/api/v1/surveys/{survey_id}/triggers/999999", json={"active": True}, headers=admin
    )
    assert missing.status_code == 404 and missing.json()["detail"].endswith("no trigger 999999")


def test_qr_codes_tag_the_place_and_open_the_survey(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    survey_id = create_live(client, admin, key="store-visit")
    svg = client.get(f"/api/v1/surveys/{survey_id}/qr?place=store-lisbon-1", headers=admin)
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.startswith("<?xml") and "<svg" in svg.text
    link = svg.headers["x-survey-link"]
    assert link == "http://127.0.0.1:8000/s/store-visit?channel=qr&place=store-lisbon-1"
    assert f"<desc>{link.replace('&', '&amp;')}</desc>" in svg.text

    png = client.get(f"/api/v1/surveys/{survey_id}/qr?format=png&scale=4", headers=admin)
    assert png.headers["content-type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"

    page = client.get(link.removeprefix("http://127.0.0.1:8000"))
    assert 'name="channel" value="qr"' in page.text and 'value="store-lisbon-1"' in page.text
    bad = client.get(f"/api/v1/surveys/{survey_id}/qr?place=<script>", headers=admin)
    assert bad.status_code == 422 and bad.json()["field"] == "place"
