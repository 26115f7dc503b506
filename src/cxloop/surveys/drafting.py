"""Editing a draft one piece at a time: a question added, changed, moved or removed, the texts
of one language, the survey's title and branding.

The web editor's forms each change one piece; these functions apply that change to the whole
definition and refuse, naming the field, anything that would leave it unusable (a branch on a
question that comes later, a choice with one option, a question others depend on removed), so
the draft is always a definition that can be published. They return a new definition and
never touch the database: saving is :func:`cxloop.surveys.update_survey`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cxloop.errors import NotFound, ValidationFailed
from cxloop.surveys.definition import (
    COLOUR_PATTERN,
    LOCALE_TAG,
    LOGO_PATTERN,
    QUESTION_ID,
    Condition,
    Definition,
    Option,
    Question,
    QuestionType,
)

CHOICES = (QuestionType.single, QuestionType.multiple)
COLOUR = re.compile(COLOUR_PATTERN)
LOGO_URL = re.compile(LOGO_PATTERN)
NUMERIC_OPS = ("lt", "lte", "gt", "gte")


class QuestionEdit(BaseModel):
    """One question as the editor's form gives it: its text in the survey's default language
    (other languages are kept, see :func:`translate_texts`) and options as (value, label)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    type: QuestionType
    text: str = Field(min_length=1, max_length=2000)
    required: bool = False
    scale_max: int = Field(default=5, ge=2, le=10)
    options: list[tuple[str, str]] = Field(default_factory=list)
    show_if: Condition | None = None


class SettingsEdit(BaseModel):
    """The survey-wide texts (in the default language) and branding."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    intro: str = Field(default="", max_length=2000)
    thanks: str = Field(default="", max_length=2000)
    default_locale: str
    colour: str
    logo_url: str | None = None


def _checked(data: dict[str, Any]) -> Definition:
    """The definition ``data`` describes; a refusal names the field of the piece edited."""
    try:
        return Definition.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = [str(p) for p in first.get("loc", ())]
        field = where[-1] if where and not where[-1].isdigit() else "form"
        message = str(first.get("msg", exc)).removeprefix("Value error, ")
        raise ValidationFailed(message, field=field) from exc


def _dumped(definition: Definition) -> dict[str, Any]:
    return definition.model_dump(mode="json")


def _index(definition: Definition, question_id: str) -> int:
    for position, question in enumerate(definition.questions):
        if question.id == question_id:
            return position
    raise NotFound(f"the draft has no question '{question_id}'")


def _dependents(definition: Definition, question_id: str) -> list[str]:
    return [
        q.id
        for q in definition.questions
        if q.show_if is not None and q.show_if.question == question_id
    ]


def _check_edit(definition: Definition, edit: QuestionEdit, position: int) -> None:
    if not QUESTION_ID.match(edit.id):
        raise ValidationFailed(
            "use lower-case letters, digits and '_', starting with a letter (e.g. 'why')",
            field="id",
        )
    others = [q.id for n, q in enumerate(definition.questions) if n != position]
    if edit.id in others:
        raise ValidationFailed(f"another question already has the id '{edit.id}'", field="id")
    if edit.type in CHOICES and len(edit.options) < 2:
        raise ValidationFailed("give at least two options, one per line", field="options")
    if len({value for value, _ in edit.options}) != len(edit.options):
        raise ValidationFailed("two options have the same value", field="options")
    if edit.show_if is not None:
        earlier = [q.id for q in definition.questions[:position]]
        if edit.show_if.question not in earlier:
            raise ValidationFailed(
                f"a question can only depend on an earlier one; '{edit.show_if.question}' "
                "does not come before it",
                field="show_if_question",
            )
        if edit.show_if.op in NUMERIC_OPS and not isinstance(edit.show_if.value, int | float):
            raise ValidationFailed("compare with a number, e.g. 6", field="show_if_value")


def _question(edit: QuestionEdit, old: Question | None, default_locale: str) -> dict[str, Any]:
    """The question ``edit`` describes, keeping the other languages of ``old``'s texts."""
    old_labels = {o.value: o.label for o in old.options} if old else {}
    options = (
        [
            Option(value=value, label={**old_labels.get(value, {}), default_locale: label})
            for value, label in edit.options
        ]
        if edit.type in CHOICES
        else []
    )
    question = Question(
        id=edit.id,
        type=edit.type,
        text={**(old.text if old else {}), default_locale: edit.text},
        required=edit.required,
        options=options,
        scale_max=edit.scale_max,
        show_if=edit.show_if,
    )
    return question.model_dump(mode="json")


def put_question(
    definition: Definition, edit: QuestionEdit, *, replacing: str | None = None
) -> Definition:
    """The definition with ``edit`` added at the end, or in place of question ``replacing``.

    Renaming a question renames it in the conditions that look at it, so branches follow.
    """
    position = _index(definition, replacing) if replacing else len(definition.questions)
    _check_edit(definition, edit, position)
    old = definition.questions[position] if replacing else None
    data = _dumped(definition)
    new = _question(edit, old, definition.default_locale)
    if replacing is None:
        data["questions"].append(new)
    else:
        data["questions"][position] = new
        if edit.id != replacing:
            for question in data["questions"]:
                if (question.get("show_if") or {}).get("question") == replacing:
                    question["show_if"]["question"] = edit.id
    return _checked(data)


def move_question(
    definition: Definition, question_id: str, direction: Literal["up", "down"]
) -> Definition:
    """The definition with the question one place earlier or later; a branch must stay after
    the question it looks at."""
    position = _index(definition, question_id)
    other = position - 1 if direction == "up" else position + 1
    if not 0 <= other < len(definition.questions):
        raise ValidationFailed(f"'{question_id}' is already {'first' if other < 0 else 'last'}")
    first, second = sorted((position, other))
    before, after = definition.questions[first], definition.questions[second]
    if after.show_if is not None and after.show_if.question == before.id:
        raise ValidationFailed(
            f"'{after.id}' is shown depending on the answer to '{before.id}', "
            "so it must stay after it",
            field="move",
        )
    data = _dumped(definition)
    data["questions"][first], data["questions"][second] = (
        data["questions"][second],
        data["questions"][first],
    )
    return _checked(data)


def remove_question(definition: Definition, question_id: str) -> Definition:
    """The definition without the question; refused while a branch depends on it, or when it
    is the only question."""
    position = _index(definition, question_id)
    dependents = _dependents(definition, question_id)
    if dependents:
        raise ValidationFailed(
            f"{', '.join(repr(d) for d in dependents)} depend on '{question_id}': change or "
            "remove their condition first",
            field="remove",
        )
    if len(definition.questions) == 1:
        raise ValidationFailed("a survey needs at least one question", field="remove")
    data = _dumped(definition)
    del data["questions"][position]
    return _checked(data)


def text_keys(definition: Definition) -> list[tuple[str, dict[str, str]]]:
    """Every translatable text of the definition: its key and its texts per language.

    Keys: ``title``, ``intro``, ``thanks``, ``q.<id>`` for a question and
    ``q.<id>.<value>`` for an option's label.
    """
    keys: list[tuple[str, dict[str, str]]] = [("title", definition.title)]
    keys += [(k, getattr(definition, k)) for k in ("intro", "thanks") if getattr(definition, k)]
    for question in definition.questions:
        keys.append((f"q.{question.id}", question.text))
        keys += [(f"q.{question.id}.{o.value}", o.label) for o in question.options]
    return keys


def translate_texts(definition: Definition, locale: str, texts: dict[str, str]) -> Definition:
    """The definition with its texts in ``locale`` set from ``texts`` (keys of
    :func:`text_keys`); a blank text removes that translation, so respondents reading
    ``locale`` see the default language's text instead."""
    if not LOCALE_TAG.match(locale):
        raise ValidationFailed(
            f"'{locale}' is not a language tag like 'fr' or 'pt-BR'", field="locale"
        )
    if locale == definition.default_locale:
        raise ValidationFailed(
            f"'{locale}' is the survey's default language: edit its texts in the question "
            "forms and the survey settings",
            field="locale",
        )
    data = _dumped(definition)

    def apply(target: dict[str, str], key: str) -> None:
        typed = texts.get(key, "").strip()
        if typed:
            target[locale] = typed
        else:
            target.pop(locale, None)

    for key in ("title", "intro", "thanks"):
        if key in texts:
            apply(data[key], key)
    for question in data["questions"]:
        apply(question["text"], f"q.{question['id']}")
        for option in question["options"]:
            apply(option["label"], f"q.{question['id']}.{option['value']}")
    return _checked(data)


def change_settings(definition: Definition, edit: SettingsEdit) -> Definition:
    """The definition with its title, intro, thanks (default language) and branding changed.

    A new default language keeps every text: the typed ones are stored under it and the old
    default's texts stay as that language's translation.
    """
    if not LOCALE_TAG.match(edit.default_locale):
        raise ValidationFailed(
            f"'{edit.default_locale}' is not a language tag like 'en' or 'pt-BR'",
            field="default_locale",
        )
    if not COLOUR.match(edit.colour):
        raise ValidationFailed("give the colour as #rrggbb, e.g. #0f766e", field="colour")
    if edit.logo_url and not LOGO_URL.match(edit.logo_url):
        raise ValidationFailed(
            "the logo must be an https:// address on your own site", field="logo_url"
        )
    data = _dumped(definition)
    locale = edit.default_locale
    data["default_locale"] = locale
    data["title"] = {**definition.title, locale: edit.title.strip()}
    for key in ("intro", "thanks"):
        typed = getattr(edit, key).strip()
        texts = {k: v for k, v in getattr(definition, key).items() if k != locale}
        data[key] = {**texts, locale: typed} if typed else texts
    data["branding"] = {"colour": edit.colour, "logo_url": edit.logo_url or None}
    return _checked(data)
