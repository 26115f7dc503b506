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


class RiskRead(BaseModel):
    customer_id: int
    name: str | None = Field(description="Masked (initials) without the pii.read permission.")
    risk: float = Field(description="The chance of leaving, 0 to 1.")
    reasons: list[ReasonRead]
    model_version: str
    scored_at: datetime
    value: float | str | None = Field(
        default=None, description="The customer's value: the trait named by value_trait."
    )
    open_cases: int


class RiskPage(BaseModel):
    items: list[RiskRead]
    next_cursor: str | None


def reason_reads(reasons: list[dict[str, Any]]) -> list[ReasonRead]:
    return [ReasonRead.model_validate(r) for r in reasons]


class PlaybookCreate(BaseModel):
    """A next-best-action rule as a team lead states it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    min_risk: float = Field(ge=0, le=1, description="Act on customers at least this risky.")
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
