"""Outward shapes of the timeline and of the journey summary behind the journey chart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class InteractionRead(BaseModel):
    """One touchpoint on a customer's timeline, whatever the channel."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    message_id: str
    customer_id: int
    source_id: int | None
    channel: str
    stage: str | None
    direction: str
    assisted: bool
    agent: str | None
    department_id: int | None
    type: str
    occurred_at: datetime
    received_at: datetime
    text: str | None
    properties: dict[str, Any]
    text_hidden: bool = Field(
        default=False,
        description="True when text is withheld because the caller lacks raw_text.read.",
    )


class TimelinePage(BaseModel):
    """Newest first; pass ``next_cursor`` back as ``cursor`` for older interactions."""

    items: list[InteractionRead]
    next_cursor: str | None


class StageSummary(BaseModel):
    """How much happened in one journey stage, and when it started and last happened."""

    stage: str | None = Field(description="Journey stage key; null for unstaged interactions.")
    name: str
    position: int
    count: int
    first_at: datetime
    last_at: datetime


class ChannelSummary(BaseModel):
    """How much one channel was used, and over which period."""

    channel: str
    name: str
    count: int
    first_at: datetime
    last_at: datetime


class JourneySummary(BaseModel):
    """A customer's journey at a glance: stages in journey order, channels by use."""

    customer_id: int
    total: int
    first_at: datetime | None
    last_at: datetime | None
    stages: list[StageSummary]
    channels: list[ChannelSummary]
