"""The demo's surveys: answers with realistic spreads and comments, a funnel, a live link."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.cases import facts, holds
from cxloop.demo import PUBLIC_SURVEY_KEY, load_demo
from cxloop.interactions import Interaction
from cxloop.surveys import Response, Survey, response_rates, survey_by_key

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_demo_surveys_have_answers_rates_and_a_live_public_link(
    connection: Connection, client: TestClient
) -> None:
    result = load_demo(connection, password="demo-password-1", seed=5, customers=120, now=NOW)
    assert result.counts["surveys"] == 4
    assert result.counts["survey_responses"] > 20

    with Session(connection) as session:
        everything = session.scalars(select(Response)).all()
        qr = [r for r in everything if r.channel == "qr"]
        assert qr and all(r.place and r.place.startswith("store-") for r in qr)
        assert all(set(r.answers["cx"]) == {"effectiveness", "ease", "emotion"} for r in qr)
        assert all(r.customer_id is None for r in qr)  # a receipt's QR code is anonymous
        responses = [r for r in everything if r.channel == "email"]
        csat = Counter(r.answers["csat"] for r in responses)
        assert set(csat) <= {1, 2, 3, 4, 5} and len(csat) >= 4  # a spread, not one score
        assert all(0 <= r.answers["nps"] <= 10 for r in responses if "nps" in r.answers)
        assert sum(1 for r in responses if r.answers.get("comment") or r.answers.get("liked")) > 5
        assert {r.stage for r in responses} >= {"support", "onboarding"}
        support = survey_by_key(session, PUBLIC_SURVEY_KEY)
        (overall,) = response_rates(session, support).values()
        assert overall.invited > overall.completed > 0 and overall.opened >= overall.completed
        assert 0.2 < (overall.response_rate or 0) < 0.8
        assert session.scalar(select(Survey.status).where(Survey.key == "store-visit")) == "live"

        # The demo's answers on the timeline carry their scores as a survey records them, so
        # the case rule the docs show (score.nps le 6) finds the demo's detractors.
        answered = session.scalars(
            select(Interaction).where(Interaction.type == "survey_response")
        ).all()
        scores = [a.properties["scores"] for a in answered]
        assert scores and all(1 <= s["csat"] <= 5 and 0 <= s["nps"] <= 10 for s in scores)
        detractor = [{"field": "score.nps", "op": "le", "value": 6}]
        flagged = [a for a in answered if holds(detractor, facts(a, None, None))]
        assert 0 < len(flagged) < len(answered)
        assert all(a.properties["scores"]["nps"] <= 6 for a in flagged)

    page = client.get(f"/s/{PUBLIC_SURVEY_KEY}", headers={"Accept-Language": "de-DE"})
    assert page.status_code == 200 and "Wie zufrieden sind Sie mit unserem Support?" in page.text
