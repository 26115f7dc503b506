"""One survey page as the template shows it, and the posted form read back into answers.

Field names are the question ids (``<id>.<part>`` for the CX index), so the form is plain
HTML that works without JavaScript and with any assistive technology.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from cxloop.surveys import Definition, Question, QuestionType, translate
from cxloop.surveys.definition import CX_INDEX_PARTS
from cxloop.web.survey_phrases import Phrases, phrases

SCALE_ENDS = {
    QuestionType.nps: ("nps_low", "nps_high"),
    QuestionType.csat: ("csat_low", "csat_high"),
    QuestionType.ces: ("agree_low", "agree_high"),
    QuestionType.rating: ("rating_low", "rating_high"),
    QuestionType.cx_index: ("agree_low", "agree_high"),
}
"""The phrases (see :mod:`cxloop.web.survey_phrases`) naming each end of a scale."""


@dataclass(slots=True)
class Choice:
    value: str
    label: str


@dataclass(slots=True)
class Part:
    name: str
    label: str


@dataclass(slots=True)
class QuestionView:
    id: str
    kind: str
    text: str
    required: bool
    choices: list[Choice] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    ends: tuple[str, str] | None = None
    value: Any = None
    error: str | None = None


def question_views(
    definition: Definition,
    questions: list[Question],
    locale: str,
    answers: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> list[QuestionView]:
    def tr(texts: dict[str, str]) -> str:
        return translate(texts, locale, definition.default_locale)

    words = phrases(locale)
    views = []
    for question in questions:
        scale = question.scale()
        if question.type in (QuestionType.single, QuestionType.multiple):
            choices = [Choice(o.value, tr(o.label)) for o in question.options]
        elif scale is not None:
            choices = [Choice(str(n), str(n)) for n in range(scale[0], scale[1] + 1)]
        else:
            choices = []
        parts = (
            [Part(p, words[p]) for p in CX_INDEX_PARTS]
            if question.type is QuestionType.cx_index
            else []
        )
        views.append(
            QuestionView(
                id=question.id,
                kind=question.type.value,
                text=tr(question.text),
                required=question.required,
                choices=choices,
                parts=parts,
                ends=_ends(words, question.type),
                value=answers.get(question.id),
                error=(errors or {}).get(question.id),
            )
        )
    return views


def _ends(words: Phrases, kind: QuestionType) -> tuple[str, str] | None:
    names = SCALE_ENDS.get(kind)
    return (words[names[0]], words[names[1]]) if names else None


def read_form(form: FormData, questions: list[Question]) -> dict[str, Any]:
    """The answers a page's form carries (blank fields left out)."""
    given: dict[str, Any] = {}
    for question in questions:
        if question.type is QuestionType.multiple:
            values = [v for v in form.getlist(question.id) if isinstance(v, str)]
            if values:
                given[question.id] = values
        elif question.type is QuestionType.cx_index:
            parts = {
                part: value
                for part in CX_INDEX_PARTS
                if isinstance(value := form.get(f"{question.id}.{part}"), str) and value
            }
            if parts:
                given[question.id] = parts
        else:
            value = form.get(question.id)
            if isinstance(value, str) and value.strip():
                given[question.id] = value
    return given
