"""Risk scores as the API and the at-risk list show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


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
