"""Understanding in and out over the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_TEXTS = 100
MAX_REQUEST_CHARS = 100_000


class UnderstandRequest(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=MAX_TEXTS)


class TopicScore(BaseModel):
    id: int | None = Field(description="The taxonomy topic; null for a trained topic model.")
    name: str
    path: str
    confidence: float
    sentiment: str | None = None
    sentiment_score: float | None = None


class AnalysisRead(BaseModel):
    """One text, understood. ``redacted`` is the text with personal data replaced by its kind."""

    model_config = ConfigDict(from_attributes=True)

    status: str
    note: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    redacted: str
    pii: list[dict[str, Any]]
    truncated: bool
    sentiment: str | None = None
    sentiment_score: float | None = None
    emotion: str | None = None
    emotions: dict[str, float] = Field(default_factory=dict)
    intent: str | None = None
    intent_confidence: float | None = None
    topics: list[TopicScore] = Field(default_factory=list)
    urgency: str
    signals: list[str]


class UnderstandResponse(BaseModel):
    results: list[AnalysisRead]
    model_versions: dict[str, str]


class EnrichmentRead(AnalysisRead):
    interaction_id: int
    error: str | None = None
    attempts: int
    model_versions: dict[str, Any]
    enriched_at: datetime
    text: str | None = Field(
        default=None, description="The raw text; only for roles allowed to see personal data."
    )


def _not_blank(name: str) -> str:
    if not name.strip():
        raise ValueError("a topic needs a name")
    return name


TopicName = Annotated[str, Field(max_length=200), AfterValidator(_not_blank)]


class TopicCreate(BaseModel):
    name: TopicName
    description: str = Field(default="", max_length=2000)
    parent_id: int | None = None
    examples: list[str] = Field(default_factory=list, max_length=200)


class TopicUpdate(BaseModel):
    name: TopicName | None = None
    description: str | None = Field(default=None, max_length=2000)
    parent_id: int | None = None
    examples: list[str] | None = Field(default=None, max_length=200)


class TopicRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    path: str
    parent_id: int | None
    description: str
    examples: list[str]
