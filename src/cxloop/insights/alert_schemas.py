"""Alert rules and metric reports as people state them (API, CLI, the alerts page) and as
they are read back. Names of metrics, dimensions and filters are checked by the service
against the catalogue, so a typo is refused when the rule is saved, not at 3 a.m."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from cxloop.insights.alerts import Kind, check_threshold

WebhookFormat = Literal["chat", "standard"]
Frequency = Literal["daily", "weekly"]


class Recipients(BaseModel):
    """Who hears: users of cxloop (by id) and configured addresses (a team mailbox)."""

    user_ids: list[int] = Field(default_factory=list, max_length=100)
    addresses: list[EmailStr] = Field(default_factory=list, max_length=100)


class AlertRuleFields(Recipients):
    model_config = ConfigDict(extra="forbid")

    metric: str = Field(min_length=1, max_length=64)
    kind: Kind = Field(description="below/above a threshold, or a significant drop/rise.")
    threshold: float | None = Field(default=None, description="For below and above.")
    by: list[str] = Field(default_factory=list, max_length=3, description="Check each group.")
    filters: list[str] = Field(default_factory=list, max_length=10, description="dim:value.")
    days: int = Field(default=7, ge=1, le=90, description="Last N full days against the N before.")
    webhook_url: str | None = Field(
        default=None, max_length=500, pattern=r"^https?://", description="Incoming webhook."
    )
    webhook_format: WebhookFormat = Field(
        default="chat",
        description='chat: Slack/Teams {"text": ...}; standard: signed Standard Webhooks '
        "(CXLOOP_ALERT_WEBHOOK_SECRET) for a receiver of your own.",
    )
    active: bool = True

    @model_validator(mode="after")
    def _threshold(self) -> AlertRuleFields:
        check_threshold(self.kind, self.threshold)
        return self


class AlertRuleCreate(AlertRuleFields):
    name: str = Field(min_length=1, max_length=200)


class AlertRuleRead(AlertRuleCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    addresses: list[str]  # checked when saved
    created_by: str
    created_at: datetime
    updated_at: datetime


class ReportFields(Recipients):
    model_config = ConfigDict(extra="forbid")

    metrics: list[str] = Field(min_length=1, max_length=20)
    frequency: Frequency = "weekly"
    active: bool = True


class ReportCreate(ReportFields):
    name: str = Field(min_length=1, max_length=200)


class ReportRead(ReportCreate):
    model_config = ConfigDict(from_attributes=True)

    id: int
    addresses: list[str]
    created_by: str
    created_at: datetime
    updated_at: datetime
