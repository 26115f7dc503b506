"""The draft editor's forms: each saves one piece of the draft, a refusal comes back beside its
field with what was typed, and only signed-in designers with a CSRF token change anything."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.surveys import Definition, Survey, publish, versions
from tests.accounts.factories import make_user
from tests.surveys.factories import make_survey
from tests.web.helpers import csrf_from, sign_in


@pytest.fixture
def designer(client: TestClient, session: Session) -> str:
    """Signed in as an analyst (may design surveys); the CSRF token of the session."""
    analyst = make_user(session, role=Role.analyst)
    sign_in(client, analyst.email)
    return csrf_from(client.get("/surveys").text)


def _question(**fields: str) -> dict[str, str]:
    base = {
        "id": "extra",
        "type": "text",
        "text": "Anything else?",
        "scale_max": "5",
        "options": "",
        "show_if_question": "",
        "show_if_op": "lte",
        "show_if_value": "",
    }
    return base | fields


def _draft(session: Session, survey: Survey) -> Definition:
    session.refresh(survey)
    return Definition.model_validate(survey.draft)


def _post(client: TestClient, url: str, token: str, data: dict[str, Any]) -> Any:
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_a_new_draft_from_a_starter_opens_the_editor(
    client: TestClient, session: Session, designer: str
) -> None:
    created = _post(
        client,
        "/surveys/new",
        designer,
        {"name": "After delivery", "key": "delivery", "start": "nps"},
    )
    assert created.status_code == 303
    editor = client.get(created.headers["location"])
    assert "<h1>Edit draft: After delivery</h1>" in editor.text
    assert "How likely are you to recommend us" in editor.text
    refused = _post(client, "/surveys/new", designer, {"name": "X", "key": "x2", "start": "quiz"})
    assert refused.status_code == 422 and "choose one of nps" in refused.text
    bad_key = _post(client, "/surveys/new", designer, {"name": "Y", "key": "Bad Key!"})
    assert bad_key.status_code == 422 and 'id="key-error"' in bad_key.text
    assert "lower-case letters, digits and dashes, e.g. delivery-nps" in bad_key.text
    taken = _post(client, "/surveys/new", designer, {"name": "Z", "key": "delivery"})
    assert "a survey with key &#39;delivery&#39; already exists" in taken.text
    assert 'value="Z"' in taken.text  # what was typed is kept
    no_name = _post(client, "/surveys/new", designer, {"name": " ", "key": "fresh"})
    assert 'id="name-error"' in no_name.text


def test_adding_a_question_with_a_branch(
    client: TestClient, session: Session, designer: str
) -> None:
    survey = make_survey(session, live=False)
    url = f"/surveys/{survey.id}/draft/questions"
    added = _post(
        client,
        url,
        designer,
        _question(
            id="fix",
            text="What should we fix first?",
            required="on",
            show_if_question="nps",
            show_if_op="lte",
            show_if_value="6",
        ),
    )
    assert added.status_code == 303 and added.headers["location"].endswith("/edit#q-fix")
    fix = _draft(session, survey).question("fix")
    assert fix is not None and fix.required and fix.show_if is not None
    assert (fix.show_if.question, fix.show_if.op, fix.show_if.value) == ("nps", "lte", 6)
    assert "shown when nps is at most 6" in client.get(f"/surveys/{survey.id}/edit").text

    choice = _post(
        client,
        url,
        designer,
        _question(
            id="channel",
            type="multiple",
            text="Where did you hear of us?",
            options="web = The web\nA friend",
            show_if_question="nps",
            show_if_op="in",
            show_if_value="9, 10",
        ),
    )
    assert choice.status_code == 303
    channel = _draft(session, survey).question("channel")
    assert channel is not None and [(o.value, o.label["en"]) for o in channel.options] == [
        ("web", "The web"),
        ("a_friend", "A friend"),
    ]
    assert channel.show_if is not None and channel.show_if.value == [9, 10]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"id": "Not An Id"}, "id", "lower-case letters"),
        ({"id": "nps"}, "id", "already has the id"),
        ({"type": "single", "options": "Only one"}, "options", "at least two options"),
        ({"type": "quiz"}, "type", "Input should be"),
        ({"text": ""}, "text", "at least 1 character"),
        ({"type": "rating", "scale_max": "40"}, "scale_max", "less than or equal to 10"),
        ({"show_if_question": "nps", "show_if_value": "low"}, "show_if_value", "a number"),
        ({"show_if_question": "nps", "show_if_op": "like"}, "show_if_op", "Input should be"),
    ],
)
def test_a_refused_question_shows_its_message_beside_the_field(
    client: TestClient,
    session: Session,
    designer: str,
    fields: dict[str, str],
    field: str,
    words: str,
) -> None:
    survey = make_survey(session, live=False)
    before = dict(survey.draft)
    typed = _question(**fields)
    refused = _post(client, f"/surveys/{survey.id}/draft/questions", designer, typed)
    assert refused.status_code == 422
    html = refused.text
    assert f'id="new-{field}-error"' in html and words in html.split(f'id="new-{field}-error"')[1]
    assert 'aria-invalid="true"' in html
    assert f'value="{typed["id"]}"' in html  # what was typed is kept
    assert _draft(session, survey).model_dump(mode="json") == before


def test_editing_a_question_in_place_keeps_its_translations(
    client: TestClient, session: Session, designer: str
) -> None:
    survey = make_survey(session, live=False)
    form = client.get(f"/surveys/{survey.id}/edit").text
    assert 'value="What went wrong?"' in form and "Edit<span" in form
    saved = _post(
        client,
        f"/surveys/{survey.id}/draft/questions/why",
        designer,
        _question(
            id="why",
            text="What went wrong with your order?",
            show_if_question="nps",
            show_if_op="lte",
            show_if_value="6",
        ),
    )
    assert saved.status_code == 303
    why = _draft(session, survey).question("why")
    assert why is not None
    assert why.text == {
        "en": "What went wrong with your order?",
        "fr": "Qu'est-ce qui n'a pas marché ?",
    }

    later = _post(
        client,
        f"/surveys/{survey.id}/draft/questions/why",
        designer,
        _question(id="why", text="Why?", show_if_question="easy", show_if_op="answered"),
    )
    assert later.status_code == 422 and 'id="q-why-show_if_question-error"' in later.text
    assert "does not come before it" in later.text


def test_moving_and_removing_questions(client: TestClient, session: Session, designer: str) -> None:
    survey = make_survey(session, live=False)
    base = f"/surveys/{survey.id}/draft/questions"
    assert _post(client, f"{base}/easy/move", designer, {"direction": "up"}).status_code == 303
    assert [q.id for q in _draft(session, survey).questions] == ["nps", "why", "easy", "review"]
    stuck = _post(client, f"{base}/why/move", designer, {"direction": "up"})
    assert stuck.status_code == 422 and 'id="q-why-move-error"' in stuck.text
    assert "must stay after it" in stuck.text
    needed = _post(client, f"{base}/nps/remove", designer, {})
    assert needed.status_code == 422 and 'id="q-nps-remove-error"' in needed.text
    assert _post(client, f"{base}/review/remove", designer, {}).status_code == 303
    assert [q.id for q in _draft(session, survey).questions] == ["nps", "why", "easy"]
    assert _post(client, f"{base}/gone/remove", designer, {}).status_code == 404


def test_settings_and_branding(client: TestClient, session: Session, designer: str) -> None:
    survey = make_survey(session, live=False)
    settings = {
        "name": "Delivery NPS",
        "title": "How was your delivery?",
        "intro": "One minute.",
        "thanks": "Thanks a lot!",
        "default_locale": "en",
        "colour": "#0f766e",
        "logo_url": "https://brightwave.example/logo.svg",
    }
    url = f"/surveys/{survey.id}/draft/settings"
    assert _post(client, url, designer, settings).status_code == 303
    draft = _draft(session, survey)
    assert survey.name == "Delivery NPS" and draft.title["en"] == "How was your delivery?"
    assert draft.branding.colour == "#0f766e"
    preview = client.get(f"/surveys/{survey.id}/preview")
    assert 'src="https://brightwave.example/logo.svg"' in preview.text
    assert "img-src 'self' data: https:" in preview.headers["content-security-policy"]
    brand = client.get(f"/surveys/{survey.id}/preview/brand.css")
    assert "--brand: #0f766e" in brand.text  # the draft's colour, before it is published

    for field, bad in [("colour", "teal"), ("logo_url", "http://x.example/a.png"), ("name", " ")]:
        refused = _post(client, url, designer, settings | {field: bad})
        assert refused.status_code == 422 and f'id="settings-{field}-error"' in refused.text


def test_translating_and_previewing_in_a_language(
    client: TestClient, session: Session, designer: str
) -> None:
    survey = make_survey(session, live=False)
    page = client.get(f"/surveys/{survey.id}/draft/translations?locale=de")
    assert page.status_code == 200 and "Question &#39;nps&#39; in de" in page.text
    saved = _post(
        client,
        f"/surveys/{survey.id}/draft/translations",
        designer,
        {"locale": "de", "t:title": "Wie war es?", "t:q.nps": "Würden Sie uns empfehlen?"},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("preview?lang=de")
    preview = client.get(saved.headers["location"]).text
    assert "Wie war es?" in preview and "Würden Sie uns empfehlen?" in preview
    assert "What went wrong?" in preview  # not translated: the default language's text
    assert "de" in _draft(session, survey).locales()

    bad = client.get(f"/surveys/{survey.id}/draft/translations?locale=German")
    assert bad.status_code == 422 and 'id="translate-locale-error"' in bad.text
    default = _post(client, f"/surveys/{survey.id}/draft/translations", designer, {"locale": "en"})
    assert default.status_code == 422 and "default language" in default.text
    long = _post(
        client,
        f"/surveys/{survey.id}/draft/translations",
        designer,
        {"locale": "de", "t:title": "Wie lief es?", "t:q.why": "x" * 2001},
    )
    assert long.status_code == 422 and 'aria-invalid="true"' in long.text
    assert "Question &#39;why&#39;: keep it under 2,000 characters" in long.text
    assert 'value="Wie lief es?"' in long.text  # what was typed is kept...
    assert _draft(session, survey).title["de"] == "Wie war es?"  # ...and nothing saved


def test_publishing_an_edited_draft_keeps_the_earlier_version(
    client: TestClient, session: Session, designer: str
) -> None:
    survey = make_survey(session)  # version 1, live
    _post(client, f"/surveys/{survey.id}/draft/questions/review/remove", designer, {})
    _post(client, f"/surveys/{survey.id}/publish", designer, {})
    first, second = versions(session, survey)
    assert [q["id"] for q in first.definition["questions"]] == ["nps", "why", "review", "easy"]
    assert [q["id"] for q in second.definition["questions"]] == ["nps", "why", "easy"]


def test_every_form_needs_the_csrf_token_and_the_right_to_design(
    client: TestClient, session: Session
) -> None:
    survey = make_survey(session, live=False)
    viewer = make_user(session, role=Role.viewer)
    sign_in(client, viewer.email)
    token = csrf_from(client.get("/surveys").text)
    actions = [
        (f"/surveys/{survey.id}/draft/settings", {"name": "x", "title": "x"}),
        (f"/surveys/{survey.id}/draft/questions", _question()),
        (f"/surveys/{survey.id}/draft/questions/why", _question(id="why")),
        (f"/surveys/{survey.id}/draft/questions/easy/move", {"direction": "up"}),
        (f"/surveys/{survey.id}/draft/questions/why/remove", {}),
        (f"/surveys/{survey.id}/draft/translations", {"locale": "de", "t:title": "x"}),
        (f"/surveys/{survey.id}/draft/json", {"name": "x", "definition": "{}"}),
    ]
    for url, data in actions:
        assert _post(client, url, token, data).status_code == 403, url
    assert client.get(f"/surveys/{survey.id}/edit").status_code == 403

    analyst = make_user(session, role=Role.analyst)
    sign_in(client, analyst.email)
    for url, data in actions:
        assert client.post(url, data=data, follow_redirects=False).status_code == 403, url
    draft = _draft(session, survey)
    assert [q.id for q in draft.questions] == ["nps", "why", "review", "easy"]
    publish(session, survey)  # the draft is untouched and still publishable
