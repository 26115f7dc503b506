"""Surveys over the API: what a client sends and what it reads back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.surveys.definition import Definition

SurveyKey = Field(
    min_length=2,
    max_length=64,
    pattern=r"^[a-z0-9][a-z0-9-]*$",
    description="Used in public links (/s/<key>): lower-case letters, digits and dashes.",
)


class SurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = SurveyKey
    name: str = Field(min_length=1, max_length=200)
    definition: Definition
    cooldown_days: int | None = Field(
        default=None, ge=0, le=3650, description="Invite a customer at most once per N days."
    )


class SurveyUpdate(BaseModel):
    """Edits the draft; respondents see it only once it is published."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    definition: Definition | None = None
    cooldown_days: int | None = Field(default=None, ge=0, le=3650)
    status: Literal["live", "closed"] | None = Field(
        default=None, description="Close a live survey, or reopen a closed one."
    )


class SurveyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    status: str
    draft: dict[str, Any]
    cooldown_days: int | None
    live_version: int | None = Field(description="Number of the version respondents answer.")
    public_path: str
    created_at: datetime
    updated_at: datetime


class SurveyPage(BaseModel):
    items: list[SurveyRead]
    next_cursor: str | None


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    survey_id: int
    number: int
    definition: dict[str, Any]
    published_at: datetime
