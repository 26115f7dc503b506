"""Respondent pages over real HTTP: links, invitations, branches, bad links and unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction
from cxloop.privacy import consent_history, has_consent
from cxloop.settings import Settings
from cxloop.surveys import (
    FatigueRules,
    Response,
    invitation_token,
    invite,
    opted_out,
    unsubscribe_token,
)
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.surveys.factories import make_survey, nps_definition
from tests.web.helpers import csrf_from, damaged_signature

RULES = FatigueRules(cooldown_days=0, ttl_days=30)


def page_path(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_anonymous_qr_link_branches_for_a_detractor(client: TestClient, session: Session) -> None:
    survey = make_survey(session, key="store-visit")
    first = client.get("/s/store-visit?channel=qr&place=lisbon-1")
    assert first.status_code == 200
    assert "How likely are you to recommend Brightwave" in first.text
    assert "<script" not in first.text and 'name="place" value="lisbon-1"' in first.text

    posted = client.post(
        "/s/store-visit",
        data={
            "csrf_token": csrf_from(first.text),
            "channel": "qr",
            "place": "lisbon-1",
            "lang": "en",
            "nps": "3",
        },
        follow_redirects=False,
    )
    second = client.get(page_path(posted))
    assert "What went wrong?" in second.text and "review us online" not in second.text
    done = client.post(
        page_path(posted),
        data={"csrf_token": csrf_from(second.text), "why": "Queue was too long", "easy": "2"},
        follow_redirects=False,
    )
    assert page_path(done).endswith("/done")
    assert "Thank you!" in client.get(page_path(done)).text
    stored = session.scalars(select(Response).where(Response.survey_id == survey.id)).one()
    assert (stored.status, stored.channel, stored.place) == ("complete", "qr", "lisbon-1")
    assert stored.answers == {"nps": 3, "why": "Queue was too long", "easy": 2}


def test_a_click_in_the_email_records_the_score_and_the_link_is_single_use(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, email="ann@example.com", traits={"locale": "fr-FR"})
    purchase = make_interaction(
        session, customer_id=ann.id, stage="purchase", type="Order Completed"
    )
    survey = make_survey(session)
    invitation = invite(
        session,
        survey=survey,
        customer_ids=[ann.id],
        channel="sms",
        rules=RULES,
        trigger_interaction_id=purchase.id,
    ).invitations[0]
    token = invitation_token(settings.resolved_secret_key(), invitation.id)

    clicked = client.get(f"/s/i/{token}?nps=10", follow_redirects=False)
    follow_up = client.get(page_path(clicked))
    assert follow_up.text.startswith('<!doctype html>\n<html lang="fr">')  # the customer's locale
    assert "Would you review us online?" in follow_up.text  # promoters are asked to review
    done = client.post(
        page_path(clicked),
        data={"csrf_token": csrf_from(follow_up.text), "review": "yes"},
        follow_redirects=False,
    )
    assert "Merci !" in client.get(page_path(done)).text

    again = client.get(f"/s/i/{token}")
    assert again.status_code == 409 and "a déjà reçu une réponse" in again.text  # in their language
    answer = session.scalars(
        select(Interaction).where(
            Interaction.customer_id == ann.id, Interaction.channel == "survey"
        )
    ).one()
    assert answer.stage == "purchase" and answer.properties["in_reply_to"] == purchase.message_id
    assert answer.properties["answers"] == {"nps": 10, "review": "yes"}


def test_tampered_expired_and_out_of_range_links_get_clear_pages(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, email="ann@example.com")
    survey = make_survey(session)
    invitation = invite(
        session, survey=survey, customer_ids=[ann.id], channel="sms", rules=RULES
    ).invitations[0]
    token = invitation_token(settings.resolved_secret_key(), invitation.id)

    tampered = client.get(f"/s/i/{damaged_signature(token)}")
    assert tampered.status_code == 400 and "This link is not valid" in tampered.text
    assert "How likely" not in tampered.text and "Traceback" not in tampered.text
    forged = client.get(f"/s/r/{'x' * 30}/1")
    assert forged.status_code == 400

    out_of_range = client.get(f"/s/i/{token}?nps=42")
    assert out_of_range.status_code == 422 and "it must be from 0 to 10" in out_of_range.text

    invitation.expires_at = utcnow() - timedelta(minutes=1)
    session.flush()
    expired = client.get(f"/s/i/{token}")
    assert expired.status_code == 410 and "expired" in expired.text

    german = client.get(f"/s/i/{token}", headers={"Accept-Language": "de-AT,de;q=0.9"})
    assert german.status_code == 410 and '<html lang="de">' in german.text
    assert "<h1>Dieser Link ist abgelaufen</h1>" in german.text
    french = client.get(f"/s/i/{damaged_signature(token)}?lang=fr")
    assert french.status_code == 400 and "<h1>Ce lien n&#39;est pas valide</h1>" in french.text
    assert "Sign in" not in french.text and "main-nav" not in french.text  # a respondent's page


def test_a_missing_required_answer_is_shown_next_to_the_question(
    client: TestClient, session: Session
) -> None:
    make_survey(session, key="nps-page")
    first = client.get("/s/nps-page")
    again = client.post("/s/nps-page", data={"csrf_token": csrf_from(first.text), "lang": "en"})
    assert again.status_code == 422
    assert re.search(r'<a href="#q-nps">Please answer this question.</a>', again.text)
    assert 'aria-describedby="q-nps-error"' in again.text


def test_the_browser_language_chooses_the_translation(client: TestClient, session: Session) -> None:
    make_survey(session, key="bilingual")
    page = client.get("/s/bilingual", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.text and "Recommanderiez-vous Brightwave" in page.text
    german = client.get("/s/bilingual", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in german.text  # falls back to the survey's default


def test_the_page_around_the_questions_speaks_the_respondents_language(
    client: TestClient, session: Session
) -> None:
    make_survey(session, key="words")
    french = client.get("/s/words?lang=fr").text
    assert ">Continuer</button>" in french and "Étape 1 sur 2 au plus" in french
    assert "(obligatoire)" in french and "0 = Pas du tout probable" in french
    refused = client.post("/s/words", data={"csrf_token": csrf_from(french), "lang": "fr"})
    assert "Veuillez répondre à cette question." in refused.text

    brazil = client.get("/s/words", headers={"Accept-Language": "pt-BR"}).text
    assert '<html lang="en">' in brazil and ">Continue</button>" in brazil  # no pt texts
    portuguese = make_survey(
        session, key="pt", definition=nps_definition(title={"pt": "Como foi?"}, default_locale="pt")
    )
    assert portuguese.key == "pt"
    page = client.get("/s/pt", headers={"Accept-Language": "pt-BR"}).text
    assert ">Continuar</button>" in page and "Nada provável" in page
    japanese = client.get("/s/pt?lang=ja").text
    assert ">Continuar</button>" in japanese  # the survey's own language, never a mix


def test_one_click_unsubscribe_is_honoured_everywhere(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, email="ann@example.com")
    token = unsubscribe_token(settings.resolved_secret_key(), ann.id)
    assert "Unsubscribe" in client.get(f"/s/u/{token}").text
    assert not opted_out(session, ann.id)
    # What a mail client sends for List-Unsubscribe-Post: no cookie, no CSRF token.
    done = client.post(f"/s/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and opted_out(session, ann.id)
    survey = make_survey(session)
    result = invite(session, survey=survey, customer_ids=[ann.id], channel="email", rules=RULES)
    assert result.invitations == [] and result.suppressed[0].reason == "opted out of surveys"
    assert client.post(f"/s/u/{token}x").status_code == 400


def test_brand_colour_gets_readable_text(client: TestClient, session: Session) -> None:
    make_survey(session, key="light", definition=nps_definition(branding={"colour": "#fde047"}))
    make_survey(session, key="dark", definition=nps_definition(branding={"colour": "#1e3a8a"}))
    assert "--brand-text: #000000" in client.get("/s/light/brand.css").text
    assert "--brand-text: #ffffff" in client.get("/s/dark/brand.css").text


def test_a_draft_or_unknown_survey_is_not_answerable(client: TestClient, session: Session) -> None:
    make_survey(session, key="not-yet", live=False)
    closed = client.get("/s/not-yet")
    assert closed.status_code == 409 and "not open" in closed.text
    assert client.get("/s/no-such-survey").status_code == 404


def test_a_widget_visitor_with_a_user_id_lands_on_that_customers_timeline(
    client: TestClient, session: Session
) -> None:
    ann = make_customer(session, email="ann@example.com", identities=[("user_id", "u-42")])
    make_survey(session, key="site")
    first = client.get("/s/site?channel=web&uid=u-42")
    assert 'name="uid" value="u-42"' in first.text
    posted = client.post(
        "/s/site",
        data={"csrf_token": csrf_from(first.text), "channel": "web", "uid": "u-42", "nps": "8"},
        follow_redirects=False,
    )
    second = client.get(page_path(posted))
    client.post(page_path(posted), data={"csrf_token": csrf_from(second.text), "easy": "6"})
    answer = session.scalars(
        select(Interaction).where(
            Interaction.customer_id == ann.id, Interaction.channel == "survey"
        )
    ).one()
    assert answer.properties["origin_channel"] == "web"
    assert answer.properties["identified_by"] == "widget"
    response = session.scalars(select(Response).where(Response.customer_id == ann.id)).one()
    assert response.respondent == {"user_id": "u-42"}


def test_the_widget_script_is_served_by_cxloop(client: TestClient) -> None:
    script = client.get("/static/survey-widget.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "data.userId" in script.text and "http" not in script.text.split("\n", 6)[-1]


def test_unsubscribing_is_recorded_as_withdrawn_consent(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, email="ann@example.com")
    client.post(f"/s/u/{unsubscribe_token(settings.resolved_secret_key(), ann.id)}")
    assert not has_consent(session, customer_id=ann.id, purpose="surveys")
    (record,) = consent_history(session, customer_ids=[ann.id])
    assert (record.purpose, record.granted, record.source) == (
        "surveys",
        False,
        "survey opt-out (email)",
    )
