"""Question types, branch logic, answer checks and language choice (no database needed)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cxloop.errors import ValidationFailed
from cxloop.surveys import Definition, accepted_languages, choose_locale, clean_answers, translate
from tests.surveys.factories import nps_definition


@pytest.fixture
def definition() -> Definition:
    return Definition.model_validate(nps_definition())


def test_branches_start_new_pages_so_they_work_without_javascript(definition: Definition) -> None:
    assert [[q.id for q in page] for page in definition.pages()] == [
        ["nps"],
        ["why", "review", "easy"],
    ]
    why, review = definition.questions[1], definition.questions[2]
    assert definition.visible(why, {"nps": 3}) and not definition.visible(review, {"nps": 3})
    assert definition.visible(review, {"nps": 10}) and not definition.visible(why, {"nps": 10})
    assert not definition.visible(why, {}) and not definition.visible(review, {"nps": 7})


@pytest.mark.parametrize(
    ("given", "field", "reason"),
    [
        ({"nps": 11}, "nps", "it must be from 0 to 10"),
        ({"nps": -1}, "nps", "it must be from 0 to 10"),
        ({"nps": "ten"}, "nps", "whole number"),
        ({"nps": 7.5}, "nps", "whole number"),
        ({"easy": 8}, "easy", "from 1 to 7"),
        ({"colour": 1}, "colour", "does not exist"),
        ({"nps": 10, "review": "maybe"}, "review", "has no option 'maybe'"),
        ({"nps": 10, "why": "slow"}, "why", "is not asked"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(
    definition: Definition, given: dict[str, object], field: str, reason: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_answers(definition, given)
    assert caught.value.extra["field"] == field
    assert reason in caught.value.detail


def test_form_text_is_cleaned_to_typed_answers(definition: Definition) -> None:
    assert clean_answers(definition, {"nps": "4", "why": "  late parcel ", "easy": ""}) == {
        "nps": 4,
        "why": "late parcel",
    }


def test_every_question_type_checks_its_scale() -> None:
    definition = Definition.model_validate(
        {
            "title": {"en": "All types"},
            "questions": [
                {"id": "csat", "type": "csat", "text": {"en": "Satisfied?"}},
                {"id": "stars", "type": "rating", "scale_max": 10, "text": {"en": "Stars"}},
                {
                    "id": "topics",
                    "type": "multiple",
                    "text": {"en": "About?"},
                    "options": [
                        {"value": "price", "label": {"en": "Price"}},
                        {"value": "speed", "label": {"en": "Speed"}},
                    ],
                },
                {"id": "cx", "type": "cx_index", "text": {"en": "Your experience"}},
            ],
        }
    )
    answers = {
        "csat": 5,
        "stars": 10,
        "topics": ["speed", "price", "speed"],
        "cx": {"effectiveness": 4, "ease": 5, "emotion": 3},
    }
    assert clean_answers(definition, answers) == {
        "csat": 5,
        "stars": 10,
        "topics": ["price", "speed"],
        "cx": {"effectiveness": 4, "ease": 5, "emotion": 3},
    }
    for bad, field in (({"csat": 6}, "csat"), ({"cx": {"ease": 6}}, "cx.ease")):
        with pytest.raises(ValidationFailed) as caught:
            clean_answers(definition, bad)
        assert caught.value.extra["field"] == field


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"questions": []}, "at least 1"),
        (
            {
                "questions": [
                    {
                        "id": "a",
                        "type": "text",
                        "text": {"en": "A"},
                        "show_if": {"question": "b", "op": "answered"},
                    }
                ]
            },
            "must be an earlier question",
        ),
        (
            {"questions": [{"id": "a", "type": "single", "text": {"en": "A"}}]},
            "at least two options",
        ),
        ({"questions": [{"id": "Bad Id", "type": "text", "text": {"en": "A"}}]}, "question id"),
        ({"branding": {"colour": "red"}}, "colour"),
    ],
)
def test_inconsistent_definitions_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Definition.model_validate(nps_definition(**change))


def test_locale_is_chosen_from_what_is_wanted_with_fallbacks() -> None:
    assert accepted_languages("fr-CA,fr;q=0.9,en;q=0.8,*;q=0.1") == ["fr-CA", "fr", "en"]
    assert accepted_languages("de;q=0, en") == ["en"]
    offered = ["en", "fr", "pt-BR"]
    assert choose_locale(offered, ["fr-CA"], "en") == "fr"
    assert choose_locale(offered, [None, "pt-br"], "en") == "pt-BR"
    assert choose_locale(offered, ["de"], "en") == "en"
    texts = {"en": "Hello", "fr": "Bonjour"}
    assert translate(texts, "fr-CA", "en") == "Bonjour"
    assert translate(texts, "de", "en") == "Hello"
    assert translate({"fr": "Bonjour"}, "de", "en") == "Bonjour"
