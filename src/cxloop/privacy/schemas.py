"""Privacy in and out of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.privacy.models import Purpose


class ConsentCreate(BaseModel):
    purpose: Purpose
    granted: bool
    source: str = Field(default="api", max_length=200, description="Where the decision was given.")


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    purpose: str
    granted: bool
    source: str
    recorded_at: datetime


class ConsentState(BaseModel):
    """Whether each purpose is allowed now (with the decision behind it, if any)."""

    customer_id: int
    allowed: dict[str, bool]
    decisions: list[ConsentRead]


class DataRequestCreate(BaseModel):
    customer_id: int
    kind: Literal["export", "erasure"]
    mode: Literal["anonymize", "delete"] | None = Field(
        default=None,
        description="Erasure only: 'anonymize' (default) keeps counted rows stripped of personal "
        "data so metrics stay right; 'delete' removes them.",
    )
    note: str | None = Field(default=None, max_length=2000)
    hold: bool = Field(
        default=False,
        description="Only record it (status 'received'), e.g. while the person's identity is "
        "checked; carry it out later with POST /api/v1/privacy/requests/{id}/fulfil.",
    )


class DataRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    kind: str
    status: str
    mode: str | None
    requested_by: str
    note: str | None
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None
    summary: dict[str, Any]
    archive_available: bool = False


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    next_cursor: str | None


class RetentionPolicySet(BaseModel):
    days: int = Field(ge=1, description="Keep the data this many days.")
    action: Literal["anonymize", "delete"] = "anonymize"


class RetentionPolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    days: int
    action: str
    updated_at: datetime
    updated_by: str


class RetentionState(BaseModel):
    kinds: dict[str, str] = Field(description="Every kind of data under retention, described.")
    policies: list[RetentionPolicyRead]


class RetentionOutcomeRead(BaseModel):
    kind: str
    days: int
    action: str
    affected: int
    dry_run: bool
