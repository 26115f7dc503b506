"""The dashboard: the catalogue's numbers with intervals, charts drawn server-side, filters."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from tests.accounts.factories import make_user
from tests.insights.case_factories import answer, make_desk, nps_answer, open_case
from tests.insights.factories import (
    answer_all,
    last_wednesday_noon,
    make_scores_survey,
    nps_answers,
)
from tests.web.helpers import sign_in

PROMOTERS_AND_DETRACTORS = [10, 10, 10, 9, 9, 8, 7, 6, 2, 0, 10, 9]  # 7 and 3 of 12: NPS 33.3


@pytest.fixture
def signed_in(client: TestClient, session: Session) -> TestClient:
    user = make_user(session, role=Role.viewer)
    assert sign_in(client, user.email).status_code == 303
    return client


def test_the_dashboard_needs_sign_in(client: TestClient) -> None:
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_nps_with_its_interval_trend_and_channels(signed_in: TestClient, session: Session) -> None:
    survey = make_scores_survey(session)
    last_week = last_wednesday_noon()
    answer_all(
        session,
        survey,
        nps_answers(PROMOTERS_AND_DETRACTORS, channel="email", at=last_week, stage="support")
        + nps_answers(PROMOTERS_AND_DETRACTORS, channel="web", at=last_week + timedelta(hours=1)),
    )
    page = signed_in.get("/dashboard", params={"metric": "nps", "weeks": 4})
    assert page.status_code == 200
    html = page.text
    # 14 promoters and 6 detractors of 24: NPS 33.3, the same on every engine and page.
    assert "33.3 points (95% CI" in html and "n=24" in html
    assert html.count("<svg") == 4  # the trend, now against before, by channel, by stage
    assert 'class="ci-band"' not in html  # one week only: a single point, no band
    assert re.search(r"<text[^>]*>email</text>", html) and re.search(r"<text[^>]*>web</text>", html)
    assert "style=" not in html and "<script>" not in html  # the CSP allows neither
    link = re.search(r'href="(/dashboard/download/trend\?[^"]*format=csv)"', html)
    assert link
    exported = signed_in.get(link.group(1).replace("&amp;", "&"))
    assert exported.status_code == 200 and exported.text.count("\n") >= 2  # header, total, week


def test_filters_are_in_the_url_and_narrow_every_number(
    signed_in: TestClient, session: Session
) -> None:
    survey = make_scores_survey(session)
    when = datetime.now(UTC) - timedelta(days=3)
    answer_all(
        session,
        survey,
        nps_answers([10] * 10, channel="email", at=when)
        + nps_answers([0] * 10, channel="web", at=when),
    )
    html = signed_in.get("/dashboard", params={"metric": "nps", "channel": "web"}).text
    assert "-100.0 points" in html and "100.0 points" not in html.replace("-100.0", "")


def test_an_unknown_metric_is_a_404_page(signed_in: TestClient) -> None:
    response = signed_in.get("/dashboard", params={"metric": "happiness"})
    assert response.status_code == 404
    assert "no metric named" in response.text and "text/html" in response.headers["content-type"]


def test_an_empty_period_says_so_without_failing(signed_in: TestClient) -> None:
    html = signed_in.get("/dashboard", params={"metric": "csat"}).text
    assert "Not enough answers in this period" in html and "no answers" in html


def test_closing_the_loop_by_department_with_intervals(
    signed_in: TestClient, session: Session
) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday() + 7)  # last week's Monday
    billing, shop = make_desk(session, "billing"), make_desk(session, "shop")
    for i in range(12):  # billing answers in 10 to 120 business minutes, half of them late
        opened = monday + timedelta(hours=9 + i % 3, minutes=i)
        case = open_case(session, billing, opened, cause=nps_answer(session, opened, 2))
        answer(session, billing, case, opened + timedelta(minutes=10 + 10 * i))
    answer(
        session,
        shop,
        open_case(session, shop, monday + timedelta(hours=10)),
        monday + timedelta(hours=11),
    )

    html = signed_in.get("/dashboard", params={"metric": "first_response_sla", "weeks": 4}).text
    assert "Closing the loop" in html
    # Billing answered in 10, 20 ... 120 minutes: median 60, order statistics 3 and 10 of 12.
    row = '<th scope="row">billing</th><td>12</td><td>1 h 00 min (30 min to 1 h 40 min), n=12</td>'
    assert row in html
    assert "<td>50.0 (25.4 to 74.6), n=12</td>" in html  # 6 of 12 in time, Wilson interval
    assert re.search(r"<text[^>]*>billing</text>", html)  # SLA attainment by department, drawn
    assert "Loop closure by signal" in html

    shop_only = signed_in.get("/dashboard", params={"department": "shop", "weeks": 4}).text
    assert "The department filter applies to cases only" in shop_only
    assert "1 cases" in shop_only and "billing</th>" not in shop_only


def test_from_and_to_give_an_exact_window_shared_as_a_url(
    signed_in: TestClient, session: Session
) -> None:
    survey = make_scores_survey(session)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    answer_all(
        session,
        survey,
        nps_answers([10] * 10, channel="web", at=today - timedelta(days=20))
        + nps_answers([0] * 10, channel="web", at=today - timedelta(days=3)),
    )
    start, end = (today - timedelta(days=21)).date(), (today - timedelta(days=14)).date()
    html = signed_in.get("/dashboard", params={"from": str(start), "to": str(end)}).text
    assert f"Overview: {start} 00:00 to {end} 00:00 UTC" in html
    assert "100.0 points" in html and "-100.0 points" not in html  # only the early answers
    assert f'value="{start}"' in html and f'value="{end}"' in html  # the form keeps the window
    assert f"from={start}T00%3A00%3A00%2B00%3A00" in html  # links to other metrics keep it too

    recent = signed_in.get("/dashboard", params={"from": str(end), "to": ""}).text
    assert "-100.0 points" in recent  # an empty 'to' (as the form sends it) runs to today

    backwards = signed_in.get("/dashboard", params={"from": str(end), "to": str(start)})
    assert backwards.status_code == 422 and "must come before its end" in backwards.text
    assert signed_in.get("/dashboard", params={"from": "last week"}).status_code == 422
