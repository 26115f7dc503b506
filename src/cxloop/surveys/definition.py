"""What a survey asks: questions, their scales, translations and the conditions that show them.

A definition is plain data (stored as JSON in a draft and, frozen, in each published version),
so a published version answers the same way forever, whatever the draft becomes.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Translations = dict[str, str]
"""Text per locale (``en``, ``fr``, ``pt-BR``...); at least one."""

QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
LOGO_PATTERN = r"^https://\S+$"
"""A logo is shown from the company's own https site (the survey pages allow https images)."""
LOCALE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


class QuestionType(StrEnum):
    nps = "nps"
    csat = "csat"
    ces = "ces"
    rating = "rating"
    single = "single"
    multiple = "multiple"
    text = "text"
    cx_index = "cx_index"


SCALES: dict[QuestionType, tuple[int, int]] = {
    QuestionType.nps: (0, 10),
    QuestionType.csat: (1, 5),
    QuestionType.ces: (1, 7),
}
CX_INDEX_PARTS = ("effectiveness", "ease", "emotion")
"""Forrester's CX index: did it meet the need, was it easy, how did it feel (each 1 to 5)."""
MAX_TEXT_ANSWER = 5_000


class Condition(BaseModel):
    """Show a question only when an earlier answer matches (skip and branch logic)."""

    model_config = ConfigDict(extra="forbid")

    question: str
    op: Literal["eq", "ne", "lt", "lte", "gt", "gte", "in", "answered"]
    value: Any = None

    def holds(self, answers: dict[str, Any]) -> bool:
        if self.question not in answers:
            return False
        given = answers[self.question]
        if self.op == "answered":
            return True
        if self.op == "in":
            return isinstance(self.value, list) and given in self.value
        if self.op in ("eq", "ne"):
            return (given == self.value) is (self.op == "eq")
        if not isinstance(given, int | float) or not isinstance(self.value, int | float):
            return False
        return {
            "lt": given < self.value,
            "lte": given <= self.value,
            "gt": given > self.value,
            "gte": given >= self.value,
        }[self.op]


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=100)
    label: Translations


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Stable key of the answer, e.g. 'nps' or 'why'.")
    type: QuestionType
    text: Translations
    required: bool = False
    options: list[Option] = Field(default_factory=list, description="Single and multiple choice.")
    scale_max: int = Field(default=5, ge=2, le=10, description="Top of a rating (1 to max).")
    show_if: Condition | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not QUESTION_ID.match(value):
            raise ValueError("question id: lower-case letters, digits, '_', starting with a letter")
        return value

    @model_validator(mode="after")
    def _options(self) -> Question:
        choice = self.type in (QuestionType.single, QuestionType.multiple)
        if choice and len(self.options) < 2:
            raise ValueError(f"question '{self.id}' needs at least two options")
        if not choice and self.options:
            raise ValueError(f"question '{self.id}' of type {self.type} takes no options")
        if len({o.value for o in self.options}) != len(self.options):
            raise ValueError(f"question '{self.id}' repeats an option value")
        return self

    def scale(self) -> tuple[int, int] | None:
        if self.type in SCALES:
            return SCALES[self.type]
        if self.type in (QuestionType.rating, QuestionType.cx_index):
            return (1, self.scale_max if self.type is QuestionType.rating else 5)
        return None


class Branding(BaseModel):
    model_config = ConfigDict(extra="forbid")

    colour: str = Field(default="#1d4ed8", pattern=COLOUR_PATTERN)
    logo_url: str | None = Field(default=None, max_length=2000, pattern=LOGO_PATTERN)


class Definition(BaseModel):
    """Everything a respondent sees; frozen into a version when published."""

    model_config = ConfigDict(extra="forbid")

    title: Translations
    intro: Translations = Field(default_factory=dict)
    thanks: Translations = Field(default_factory=dict)
    default_locale: str = "en"
    questions: list[Question] = Field(min_length=1, max_length=100)
    branding: Branding = Field(default_factory=Branding)

    @model_validator(mode="after")
    def _consistent(self) -> Definition:
        if not LOCALE_TAG.match(self.default_locale):
            raise ValueError(f"default_locale '{self.default_locale}' is not a locale like 'en'")
        seen: set[str] = set()
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question id '{question.id}' is used twice")
            if question.show_if is not None and question.show_if.question not in seen:
                raise ValueError(
                    f"question '{question.id}' depends on '{question.show_if.question}', "
                    "which must be an earlier question"
                )
            seen.add(question.id)
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def pages(self) -> list[list[Question]]:
        """Questions grouped so that every condition refers to an earlier page.

        A new page starts at a question whose condition looks at the current page, so the
        core path works without JavaScript: each page is a form, the server applies branches.
        """
        pages: list[list[Question]] = [[]]
        for question in self.questions:
            on_page = {q.id for q in pages[-1]}
            if question.show_if is not None and question.show_if.question in on_page:
                pages.append([])
            pages[-1].append(question)
        return pages

    def visible(self, question: Question, answers: dict[str, Any]) -> bool:
        return question.show_if is None or question.show_if.holds(answers)

    def locales(self) -> list[str]:
        found = {self.default_locale} | set(self.title)
        for question in self.questions:
            found |= set(question.text)
        return sorted(found)
