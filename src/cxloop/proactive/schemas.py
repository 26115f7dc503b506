"""Risk scores as the API and the at-risk list show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReasonRead(BaseModel):
    feature: str
    value: str | float | None
    text: str = Field(description="The reason in words: 'last NPS 2 (typical 8)'.")
    weight: float = Field(description="Log-odds of leaving this feature's value adds.")


class ScoreRead(BaseModel):
    """A customer's score from the other risk model, beside the one a list is sorted by."""

    risk: float
    reasons: list[ReasonRead]
    model_version: str
    scored_at: datetime


class RiskRead(BaseModel):
    customer_id: int
    name: str | None = Field(description="Masked (initials) without the pii.read permission.")
    kind: Literal["churn", "detraction"] = Field(
        default="churn",
        description="What risk is the chance of: leaving (churn), or answering the next "
        "survey 0-6 (detraction).",
    )
    risk: float = Field(description="The chance of leaving (or of a detractor answer), 0 to 1.")
    reasons: list[ReasonRead]
    model_version: str
    scored_at: datetime
    value: float | str | None = Field(
        default=None, description="The customer's value: the trait named by value_trait."
    )
    open_cases: int
    detraction: ScoreRead | None = Field(
        default=None, description="On a churn score: the chance of a detractor answer."
    )
    churn: ScoreRead | None = Field(
        default=None, description="On a detraction score: the chance of leaving."
    )


class RiskPage(BaseModel):
    items: list[RiskRead]
    next_cursor: str | None


def reason_reads(reasons: list[dict[str, Any]]) -> list[ReasonRead]:
    return [ReasonRead.model_validate(r) for r in reasons]


def score_read(score: Any) -> ScoreRead | None:
    """A stored score (either model's) as shown beside the other."""
    if score is None:
        return None
    return ScoreRead(
        risk=score.risk,
        reasons=reason_reads(score.reasons),
        model_version=score.model_version,
        scored_at=score.scored_at,
    )


class PlaybookCreate(BaseModel):
    """A next-best-action rule as a team lead states it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    min_risk: float = Field(ge=0, le=1, description="Act on customers at least this risky.")
    min_detraction: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="And at least this likely to answer the next survey as a detractor.",
    )
    reason_contains: str | None = Field(
        default=None, max_length=200, description="A reason in words must contain this."
    )
    trait: str | None = Field(default=None, max_length=100, description="A value trait...")
    trait_min: float | None = Field(default=None, description="...at least this.")
    consent: str | None = Field(
        default=None, description="A consent purpose the customer must have given."
    )
    action: Literal["case", "message", "experiment"] = "case"
    department: str | None = Field(default=None, description="The department's slug.")
    priority: Literal["low", "normal", "high", "urgent"] = "high"
    tags: list[str] = Field(default_factory=list, max_length=20)
    message: str | None = Field(default=None, max_length=10_000)
    sender: str | None = Field(default=None, description="Message: the sending user's email.")
    experiment_id: int | None = None
    cooldown_days: int = Field(default=30, ge=1, le=365)


class PlaybookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    active: bool
    position: int
    min_risk: float
    min_detraction: float | None
    reason_contains: str | None
    trait: str | None
    trait_min: float | None
    consent: str | None
    action: str
    department_id: int | None
    priority: str
    tags: list[str]
    message: str | None
    sender_id: int | None
    experiment_id: int | None
    cooldown_days: int
    created_at: datetime


class PlaybookChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool
