"""The journey and drivers pages: charts drawn server-side with their numbers in words,
filters in the URL, the same figures as the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.insights.factories import Answer, answer, make_scores_survey
from tests.interactions.factories import make_interaction
from tests.web.helpers import sign_in


@pytest.fixture
def signed_in(client: TestClient, session: Session) -> TestClient:
    user = make_user(session, role=Role.viewer)
    assert sign_in(client, user.email).status_code == 303
    return client


def callers_and_others(session: Session, *, days_ago: int = 5) -> None:
    """Twelve customers called and answered 2, twelve browsed the site and answered 10."""
    survey = make_scores_survey(session)
    at = datetime.now(UTC) - timedelta(days=days_ago)
    for i in range(24):
        customer = make_customer(session, traits={"plan": "Fibre" if i % 2 else "Mobile"})
        called = i < 12
        make_interaction(
            session,
            customer_id=customer.id,
            channel="phone" if called else "web",
            type="call" if called else "page_viewed",
            stage="support",
            assisted=called,
            occurred_at=at - timedelta(days=2),
        )
        answer(session, survey, Answer(at=at, nps=2 if called else 10, customer_id=customer.id))


@pytest.mark.parametrize("path", ["/journeys", "/drivers"])
def test_the_pages_need_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_drivers_rank_the_call_with_its_interval_and_direction(
    signed_in: TestClient, session: Session
) -> None:
    callers_and_others(session)
    html = signed_in.get("/drivers", params={"metric": "nps", "weeks": 4}).text
    assert html.count("<svg") == 2
    assert re.search(r"<text[^>]*>touchpoint: call</text>", html)
    assert "lowers NPS by 200.0 points" not in html  # the call shares credit with its twins
    assert "lowers NPS" in html and "raises NPS" in html  # the direction in words
    assert "24 answers; together the drivers explain 100.0%" in html
    assert "plan Fibre" in html  # the reference category is named
    assert "style=" not in html and "<script>" not in html
    link = re.search(r'href="(/api/v1/drivers/nps\?[^"]*)"', html)
    assert link
    assert signed_in.get(link.group(1).replace("&amp;", "&")).json()["n"] == 24


def test_drivers_of_too_few_answers_say_so(signed_in: TestClient) -> None:
    html = signed_in.get("/drivers", params={"metric": "csat"}).text
    assert "Too few answers to explain in this period: 0 CSAT answers" in html
    assert "<svg" not in html


def test_the_window_is_in_the_url(signed_in: TestClient, session: Session) -> None:
    callers_and_others(session, days_ago=60)  # older than four weeks
    html = signed_in.get("/drivers", params={"weeks": 4}).text
    assert "Too few answers" in html
    assert "24 answers" in signed_in.get("/drivers", params={"weeks": 13}).text


def test_the_journey_page_draws_every_figure(signed_in: TestClient, session: Session) -> None:
    callers_and_others(session)
    html = signed_in.get("/journeys", params={"weeks": 4}).text
    for heading in (
        "Stage funnel",
        "Commonest paths between stages",
        "Commonest paths between channels",
        "Time between stages",
        "Failed self-service",
        "What comes before a detractor",
        "What comes before a departure",
    ):
        assert f">{heading}</h2>" in html
    assert re.search(r"<text[^>]*>touchpoint: call</text>", html)
    assert "x1" in html  # lifts are drawn against no difference
    # 12 of 12 callers are detractors, 0 of 12 browsers: half of all answers.
    assert "Overall: 50.0% (" in html and "12 of 24 answers" in html
    assert "style=" not in html and "<script>" not in html
