"""Checking answers against the version they answer: known question, allowed value, in range.

Forms send text and APIs send JSON; both pass through here, so a score of 11 or an option the
question does not offer is refused with the same reason whichever way it came.
"""

from __future__ import annotations

from typing import Any

from cxloop.errors import ValidationFailed
from cxloop.surveys.definition import (
    CX_INDEX_PARTS,
    MAX_TEXT_ANSWER,
    Definition,
    Question,
    QuestionType,
)


def _integer(question: Question, raw: Any, field: str) -> int:
    low, high = question.scale() or (0, 0)
    if isinstance(raw, bool):
        raw = None
    try:
        value = int(raw.strip()) if isinstance(raw, str) else int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"'{field}' must be a whole number from {low} to {high}", field=field
        ) from None
    if isinstance(raw, float) and raw != value:
        raise ValidationFailed(
            f"'{field}' must be a whole number from {low} to {high}", field=field
        )
    if not low <= value <= high:
        raise ValidationFailed(
            f"'{field}' is {value}; it must be from {low} to {high}", field=field
        )
    return value


def _choice(question: Question, raw: Any) -> str | list[str]:
    allowed = [o.value for o in question.options]
    values = raw if isinstance(raw, list) else [raw]
    if question.type is QuestionType.single and len(values) != 1:
        raise ValidationFailed(f"'{question.id}' takes exactly one option", field=question.id)
    for value in values:
        if value not in allowed:
            raise ValidationFailed(
                f"'{question.id}' has no option '{value}' (options: {', '.join(allowed)})",
                field=question.id,
            )
    if question.type is QuestionType.single:
        return str(values[0])
    return [v for v in allowed if v in values]  # the question's order, each once


def clean_answer(question: Question, raw: Any) -> Any:
    """The stored form of one answer, or :class:`ValidationFailed` naming the question."""
    if question.type is QuestionType.text:
        if not isinstance(raw, str):
            raise ValidationFailed(f"'{question.id}' must be text", field=question.id)
        if len(raw) > MAX_TEXT_ANSWER:
            raise ValidationFailed(
                f"'{question.id}' is longer than {MAX_TEXT_ANSWER} characters", field=question.id
            )
        return raw.strip()
    if question.type in (QuestionType.single, QuestionType.multiple):
        return _choice(question, raw)
    if question.type is QuestionType.cx_index:
        if not isinstance(raw, dict) or set(raw) - set(CX_INDEX_PARTS):
            parts = ", ".join(CX_INDEX_PARTS)
            raise ValidationFailed(f"'{question.id}' takes scores for {parts}", field=question.id)
        return {
            part: _integer(question, raw[part], f"{question.id}.{part}")
            for part in CX_INDEX_PARTS
            if part in raw
        }
    return _integer(question, raw, question.id)


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_answers(
    definition: Definition, given: dict[str, Any], *, known: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Clean ``given`` (blank answers dropped); refuse questions that do not exist or are hidden
    by the branch logic given the ``known`` answers already saved."""
    so_far = dict(known or {})
    cleaned: dict[str, Any] = {}
    for question_id in given:
        if definition.question(question_id) is None:
            raise ValidationFailed(
                f"question '{question_id}' does not exist in this survey", field=question_id
            )
    for question in definition.questions:
        if question.id not in given or _is_blank(given[question.id]):
            continue
        if not definition.visible(question, so_far):
            raise ValidationFailed(
                f"question '{question.id}' is not asked after the answers given", field=question.id
            )
        value = clean_answer(question, given[question.id])
        if not _is_blank(value):
            cleaned[question.id] = value
            so_far[question.id] = value
    return cleaned


def missing_required(
    definition: Definition, questions: list[Question], answers: dict[str, Any]
) -> list[str]:
    """Required questions among ``questions`` that are shown but unanswered."""
    return [
        q.id
        for q in questions
        if q.required and definition.visible(q, answers) and _is_blank(answers.get(q.id))
    ]
