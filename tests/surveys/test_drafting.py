"""Editing a draft piece by piece: every change leaves a definition that can be published, and a
change that would break it is refused naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from cxloop.errors import NotFound, ValidationFailed
from cxloop.surveys import (
    Definition,
    QuestionEdit,
    QuestionType,
    SettingsEdit,
    change_settings,
    move_question,
    put_question,
    remove_question,
    text_keys,
    translate_texts,
)
from tests.surveys.factories import nps_definition


def _definition(**overrides: Any) -> Definition:
    return Definition.model_validate(nps_definition(**overrides))


def _edit(**fields: Any) -> QuestionEdit:
    base: dict[str, Any] = {"id": "extra", "type": "text", "text": "Anything else?"}
    return QuestionEdit.model_validate(base | fields)


def _refusal(call: Any) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.extra.get("field", "form"), caught.value.detail


def test_a_question_of_every_type_can_be_added_at_the_end() -> None:
    definition = _definition()
    for kind in QuestionType:
        options = [("a", "A"), ("b", "B")] if kind in ("single", "multiple") else []
        definition = put_question(
            definition, _edit(id=f"q_{kind.value}", type=kind, options=options, scale_max=7)
        )
    added = definition.questions[-len(QuestionType) :]
    assert [q.type for q in added] == list(QuestionType)
    rating = definition.question("q_rating")
    assert rating is not None and rating.scale() == (1, 7)
    choice = definition.question("q_single")
    assert choice is not None and [o.label for o in choice.options] == [{"en": "A"}, {"en": "B"}]
    text = definition.question("q_text")
    assert text is not None and text.options == []  # options typed for a text are not kept


def test_a_branch_for_detractors_and_one_for_promoters() -> None:
    definition = Definition.model_validate(
        {"title": {"en": "Hi"}, "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}
    )
    definition = put_question(
        definition,
        _edit(
            id="wrong",
            text="What went wrong?",
            show_if={"question": "nps", "op": "lte", "value": 6},
        ),
    )
    definition = put_question(
        definition,
        _edit(
            id="review",
            type="single",
            text="Would you review us?",
            options=[("yes", "Yes"), ("no", "No")],
            show_if={"question": "nps", "op": "gte", "value": 9},
        ),
    )
    wrong, review = definition.question("wrong"), definition.question("review")
    assert wrong is not None and review is not None
    assert definition.visible(wrong, {"nps": 3}) and not definition.visible(review, {"nps": 3})
    assert definition.visible(review, {"nps": 10}) and not definition.visible(wrong, {"nps": 10})
    assert [[q.id for q in page] for page in definition.pages()] == [["nps"], ["wrong", "review"]]


def test_editing_keeps_the_other_languages_and_renaming_moves_the_branches() -> None:
    definition = put_question(
        _definition(),
        _edit(id="score", type="nps", text="Would you recommend us?", required=True),
        replacing="nps",
    )
    score = definition.question("score")
    assert score is not None and score.text == {
        "en": "Would you recommend us?",
        "fr": "Recommanderiez-vous Brightwave à un ami ?",
    }
    branches = [q.show_if.question for q in definition.questions if q.show_if is not None]
    assert branches == ["score", "score"]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"id": "Why Not"}, "id", "lower-case"),
        ({"id": "easy"}, "id", "already has the id 'easy'"),
        ({"type": "single", "options": [("yes", "Yes")]}, "options", "at least two options"),
        ({"type": "multiple", "options": [("a", "A"), ("a", "B")]}, "options", "same value"),
        (
            {"show_if": {"question": "later", "op": "eq", "value": 1}},
            "show_if_question",
            "earlier one",
        ),
        (
            {"show_if": {"question": "nps", "op": "lte", "value": "six"}},
            "show_if_value",
            "a number",
        ),
    ],
)
def test_a_question_that_would_break_the_survey_is_refused_naming_the_field(
    fields: dict[str, Any], field: str, words: str
) -> None:
    where, message = _refusal(lambda: put_question(_definition(), _edit(**fields)))
    assert where == field and words in message


def test_a_branch_cannot_depend_on_itself_or_on_a_later_question() -> None:
    edit = _edit(id="why", text="Why?", show_if={"question": "easy", "op": "answered"})
    where, _message = _refusal(lambda: put_question(_definition(), edit, replacing="why"))
    assert where == "show_if_question"


def test_moving_keeps_a_branch_after_its_question() -> None:
    definition = move_question(_definition(), "easy", "up")
    assert [q.id for q in definition.questions] == ["nps", "why", "easy", "review"]
    where, message = _refusal(lambda: move_question(_definition(), "why", "up"))
    assert where == "move" and "must stay after it" in message
    _where, message = _refusal(lambda: move_question(_definition(), "easy", "down"))
    assert "already last" in message


def test_removing_refuses_a_question_others_depend_on() -> None:
    where, message = _refusal(lambda: remove_question(_definition(), "nps"))
    assert where == "remove" and "'why', 'review' depend on 'nps'" in message
    assert [q.id for q in remove_question(_definition(), "why").questions] == [
        "nps",
        "review",
        "easy",
    ]
    only = Definition.model_validate(
        {"title": {"en": "Hi"}, "questions": [{"id": "nps", "type": "nps", "text": {"en": "?"}}]}
    )
    assert "at least one question" in _refusal(lambda: remove_question(only, "nps"))[1]
    with pytest.raises(NotFound):
        remove_question(only, "gone")


def test_translations_are_set_and_a_blank_one_falls_back() -> None:
    keys = dict(text_keys(_definition()))
    assert {"title", "intro", "thanks", "q.nps", "q.review.yes"} <= set(keys)
    german = translate_texts(
        _definition(),
        "de",
        {"title": "Wie war es?", "q.nps": "Würden Sie uns empfehlen?", "q.review.yes": "Ja"},
    )
    assert german.title["de"] == "Wie war es?" and "de" in german.locales()
    review = german.question("review")
    assert review is not None and review.options[0].label == {"en": "Yes", "de": "Ja"}
    cleared = translate_texts(german, "fr", {"title": ""})
    assert "fr" not in cleared.title and "de" in cleared.title
    assert _refusal(lambda: translate_texts(german, "en", {}))[0] == "locale"
    assert _refusal(lambda: translate_texts(german, "not a tag", {}))[0] == "locale"


def test_settings_change_the_default_texts_and_the_branding() -> None:
    edit = SettingsEdit(
        title="How was your delivery?",
        thanks="",
        default_locale="en",
        colour="#0f766e",
        logo_url="https://brightwave.example/logo.svg",
    )
    changed = change_settings(_definition(), edit)
    assert changed.title == {"en": "How was your delivery?", "fr": "Comment avons-nous fait ?"}
    assert changed.thanks == {"fr": "Merci !"}  # the blank default text is gone, fr stays
    assert changed.branding.colour == "#0f766e"
    assert changed.branding.logo_url == "https://brightwave.example/logo.svg"
    bad_colour = edit.model_copy(update={"colour": "teal"})
    assert _refusal(lambda: change_settings(_definition(), bad_colour)) == (
        "colour",
        "give the colour as #rrggbb, e.g. #0f766e",
    )
    bad_logo = edit.model_copy(update={"logo_url": "http://insecure.example/logo.png"})
    where, message = _refusal(lambda: change_settings(_definition(), bad_logo))
    assert where == "logo_url" and "https://" in message
    bad_locale = edit.model_copy(update={"default_locale": "English"})
    assert _refusal(lambda: change_settings(_definition(), bad_locale))[0] == "default_locale"
