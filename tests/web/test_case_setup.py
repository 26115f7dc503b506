"""The team lead's set-up page: rules, policies and hours written as people say them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import BusinessCalendar, CaseRule, RoutingRule, SlaPolicy
from tests.accounts.factories import make_user
from tests.cases.factories import make_department
from tests.web.helpers import csrf_from, sign_in

SETUP = "/cases/setup"


@pytest.fixture
def lead(client: TestClient, session: Session) -> None:
    make_department(session, "billing")
    user = make_user(session, role="admin")
    sign_in(client, user.email, next=SETUP)


def post(client: TestClient, path: str, data: dict[str, str]):
    token = csrf_from(client.get(SETUP).text)
    return client.post(
        f"{SETUP}/{path}", data={**data, "csrf_token": token}, follow_redirects=False
    )


def test_a_lead_adds_an_opening_rule_written_in_words(
    client: TestClient, session: Session, lead: None
) -> None:
    answer = post(
        client,
        "opening-rules",
        {
            "name": "Detractor",
            "priority": "high",
            "tags": "nps, survey",
            "position": "1",
            "conditions": "score.nps le 6\nchannel in survey, email",
        },
    )
    assert answer.status_code == 303
    rule = session.scalars(select(CaseRule)).one()
    assert rule.conditions == [
        {"field": "score.nps", "op": "le", "value": 6},
        {"field": "channel", "op": "in", "value": ["survey", "email"]},
    ]
    assert (rule.priority, rule.tags, rule.position) == ("high", ["nps", "survey"], 1)
    page = client.get(SETUP).text
    assert "score.nps le 6" in page and "channel in survey, email" in page


def test_a_condition_that_cannot_be_read_is_shown_next_to_the_field(
    client: TestClient, session: Session, lead: None
) -> None:
    answer = post(client, "opening-rules", {"name": "x", "conditions": "mood is grumpy"})
    assert answer.status_code == 422
    assert 'id="opening-conditions-error"' in answer.text
    assert "line 1" in answer.text
    assert "mood is grumpy" in answer.text  # what was typed is kept
    assert session.scalars(select(CaseRule)).all() == []


def test_routing_policies_and_hours_are_saved(
    client: TestClient, session: Session, lead: None
) -> None:
    assert (
        post(
            client,
            "routing-rules",
            {"name": "Billing", "department": "billing", "conditions": "topic eq Billing"},
        ).status_code
        == 303
    )
    assert (
        post(
            client,
            "sla-policies",
            {"name": "Default", "first_response_minutes": "60", "resolution_minutes": "480"},
        ).status_code
        == 303
    )
    assert (
        post(
            client,
            "calendars",
            {
                "department": "billing",
                "timezone": "Europe/Paris",
                "holiday_country": "FR",
                "hours": "mon-fri 09:00-12:30, 13:30-18:00",
            },
        ).status_code
        == 303
    )

    assert session.scalars(select(RoutingRule.name)).one() == "Billing"
    assert session.scalars(select(SlaPolicy.first_response_minutes)).one() == 60
    calendar = session.scalars(select(BusinessCalendar)).one()
    assert calendar.hours["fri"] == [["09:00", "12:30"], ["13:30", "18:00"]]
    assert "sat" not in calendar.hours


def test_bad_numbers_and_hours_name_their_field(client: TestClient, lead: None) -> None:
    policy = post(
        client,
        "sla-policies",
        {"name": "x", "first_response_minutes": "soon", "resolution_minutes": "480"},
    )
    hours = post(client, "calendars", {"timezone": "UTC", "hours": "weekdays 9 to 5"})
    assert policy.status_code == hours.status_code == 422
    assert 'id="sla-first_response_minutes-error"' in policy.text
    assert 'id="calendar-hours-error"' in hours.text


def test_a_rule_can_be_deleted(client: TestClient, session: Session, lead: None) -> None:
    post(client, "opening-rules", {"name": "Angry", "conditions": "emotion eq anger"})
    rule_id = session.scalars(select(CaseRule.id)).one()
    assert post(client, f"opening-rules/{rule_id}/delete", {}).status_code == 303
    assert session.scalars(select(CaseRule)).all() == []


def test_agents_may_look_but_not_change(client: TestClient, session: Session) -> None:
    agent = make_user(session, role="agent", departments=["billing"])
    sign_in(client, agent.email, next=SETUP)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "Add an opening rule" not in page.text
    token = csrf_from(client.get("/cases").text)
    refused = client.post(
        f"{SETUP}/opening-rules",
        data={"name": "x", "conditions": "emotion eq anger", "csrf_token": token},
    )
    assert refused.status_code == 403
