"""The team's survey pages: create, edit as JSON with checks, preview, publish, funnel; roles.

The form editor has its own tests in test_survey_editor.py."""

from __future__ import annotations

import html
import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.surveys import FatigueRules, Survey, invite, survey_by_key, triggers_of
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.surveys.factories import make_survey, nps_definition
from tests.web.helpers import csrf_from, sign_in


def test_create_edit_preview_and_publish(client: TestClient, session: Session) -> None:
    admin = make_user(session, role=Role.admin)
    sign_in(client, admin.email)
    form = client.get("/surveys/new")
    token = csrf_from(form.text)
    assert "One NPS question (0 to 10)" in form.text  # a starter to build on, or JSON to paste

    broken = client.post(
        "/surveys/new",
        data={
            "csrf_token": token,
            "key": "post-purchase",
            "name": "Post purchase",
            "definition": "{",
        },
    )
    assert broken.status_code == 422 and "The survey could not be saved" in broken.text
    created = client.post(
        "/surveys/new",
        data={
            "csrf_token": token,
            "key": "post-purchase",
            "name": "Post purchase",
            "definition": json.dumps(nps_definition()),
        },
        follow_redirects=False,
    )
    survey = survey_by_key(session, "post-purchase")
    assert created.headers["location"] == f"/surveys/{survey.id}/edit"
    assert '"type": "nps"' in html.unescape(client.get(f"/surveys/{survey.id}/draft/json").text)

    edited = nps_definition(title={"en": "How was your order?", "fr": "Votre commande ?"})
    bad = dict(edited, questions=[{"id": "x", "type": "single", "text": {"en": "?"}}])
    refused = client.post(
        f"/surveys/{survey.id}/draft/json",
        data={"csrf_token": token, "name": "Post purchase", "definition": json.dumps(bad)},
    )
    assert refused.status_code == 422 and "at least two options" in refused.text
    saved = client.post(
        f"/surveys/{survey.id}/draft/json",
        data={"csrf_token": token, "name": "Post purchase", "definition": json.dumps(edited)},
    )
    assert saved.url.path == f"/surveys/{survey.id}/preview"
    assert "How was your order?" in saved.text
    assert "why: shown when nps is at most 6" in saved.text and "Page 2" in saved.text
    assert "Votre commande ?" in client.get(f"/surveys/{survey.id}/preview?lang=fr").text

    client.post(f"/surveys/{survey.id}/publish", data={"csrf_token": token})
    session.refresh(survey)
    assert survey.status == "live"
    assert client.get("/s/post-purchase").status_code == 200
    client.post(f"/surveys/{survey.id}/close", data={"csrf_token": token})
    session.refresh(survey)
    assert survey.status == "closed"


def test_the_survey_page_shows_the_funnel_and_answers(client: TestClient, session: Session) -> None:
    viewer = make_user(session, role=Role.viewer)
    survey = make_survey(session, key="funnel")
    people = [make_customer(session, email=f"p{n}@example.com") for n in range(3)]
    invite(
        session,
        survey=survey,
        customer_ids=[p.id for p in people],
        channel="sms",
        rules=FatigueRules(cooldown_days=0, ttl_days=30),
        stage="support",
    )
    sign_in(client, viewer.email)
    listed = client.get("/surveys")
    assert "Post-purchase NPS" in listed.text and "New survey" not in listed.text
    detail = client.get(f"/surveys/{survey.id}")
    assert '<th scope="row">support</th><td>3</td>' in detail.text
    assert "Publish the draft" not in detail.text  # viewers look, they do not design
    refused = client.get("/surveys/new")
    assert refused.status_code == 403 and "surveys.manage" in refused.text


def test_survey_pages_need_sign_in(client: TestClient, session: Session) -> None:
    survey: Survey = make_survey(session, live=False)
    response = client.get(f"/surveys/{survey.id}", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    client.post(f"/surveys/{survey.id}/publish", data={}, follow_redirects=False)
    session.refresh(survey)
    assert survey.status == "draft"  # nothing published by a signed-out visitor


def test_triggers_are_added_paused_and_resumed_from_the_survey_page(
    client: TestClient, session: Session
) -> None:
    analyst = make_user(session, role=Role.analyst)
    survey = make_survey(session)
    sign_in(client, analyst.email)
    token = csrf_from(client.get(f"/surveys/{survey.id}").text)
    form = {
        "csrf_token": token,
        "name": "After delivery",
        "type": "Parcel Delivered",
        "stage": "delivery",
        "invite_channel": "email",
        "delay_minutes": "90",
        "sampling_percent": "25",
        "quiet_start_hour": "21",
        "quiet_end_hour": "",
    }
    refused = client.post(f"/surveys/{survey.id}/triggers", data=form)
    assert refused.status_code == 422 and "quiet_end_hour" in refused.text
    assert 'value="After delivery"' in refused.text  # what was typed is kept
    added = client.post(f"/surveys/{survey.id}/triggers", data={**form, "quiet_end_hour": "8"})
    assert "After delivery: Parcel Delivered · any channel · delivery" in added.text
    assert "after 90 min, 25% sampled, not 21:00\u20138:00" in added.text
    (trigger,) = triggers_of(session, survey)
    assert (trigger.sampling, trigger.active) == (0.25, True)
    client.post(f"/surveys/{survey.id}/triggers/{trigger.id}/pause", data={"csrf_token": token})
    session.refresh(trigger)
    assert trigger.active is False
