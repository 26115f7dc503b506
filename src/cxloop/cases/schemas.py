"""What the API takes and gives for cases and their set-up. Departments and people are named
by slug and email, as team leads know them, not by database id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cxloop.cases.calendar import Calendar
from cxloop.cases.conditions import Condition
from cxloop.cases.models import CaseStatus, Priority

Slug = Field(default=None, max_length=64, examples=["billing"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseRuleIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Detractors"])
    position: int = Field(default=0, ge=0, le=100_000)
    active: bool = True
    conditions: list[Condition] = Field(min_length=1, max_length=20)
    priority: Priority = Priority.normal
    tags: list[str] = Field(default_factory=list, max_length=20)


class RoutingRuleIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Billing topics"])
    position: int = Field(default=0, ge=0, le=100_000)
    active: bool = True
    conditions: list[Condition] = Field(
        default_factory=list, max_length=20, description="None: every case (a catch-all)."
    )
    department: str = Field(max_length=64, examples=["billing"])
    queue: str = Field(default="", max_length=64)
    priority: Priority | None = None


class SlaPolicyIn(_In):
    name: str = Field(min_length=1, max_length=200, examples=["Billing, urgent"])
    department: str | None = Slug
    priority: Priority | None = None
    first_response_minutes: int = Field(ge=1, le=525_600, description="Business minutes.")
    resolution_minutes: int = Field(ge=1, le=5_256_000, description="Business minutes.")
    warn_before_minutes: int = Field(default=30, ge=0, le=10_080)
    escalate_to: str | None = Field(default=None, max_length=320, description="A lead's email.")
    escalate_to_department: str | None = Slug
    escalate_priority: Priority | None = None


class CalendarIn(_In):
    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Paris"])
    hours: dict[str, list[list[str]]] = Field(
        default_factory=lambda: {
            d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
        },
        examples=[{"mon": [["09:00", "12:30"], ["13:30", "18:00"]]}],
    )
    holiday_country: str | None = Field(default=None, max_length=8, examples=["FR"])
    holiday_subdivision: str | None = Field(default=None, max_length=16)
    closed_dates: list[str] = Field(default_factory=list, max_length=366)

    def check(self) -> Calendar:
        """Build it once, so a bad calendar is refused when saved, not when a case opens."""
        return Calendar.build(**self.model_dump())


class DepartmentSetupIn(_In):
    assignment: Literal["round_robin", "least_open", "manual"] = "round_robin"
    lead: str | None = Field(default=None, max_length=320, description="The lead's email.")
    notify_webhook_url: str | None = Field(default=None, max_length=500)

    @field_validator("notify_webhook_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("a webhook URL starts with https:// (or http://)")
        return value


class AgentProfileIn(_In):
    languages: list[str] = Field(default_factory=list, max_length=20, examples=[["en", "fr"]])
    skills: list[str] = Field(default_factory=list, max_length=50, examples=[["Billing"]])
    available: bool = True


class CaseOpen(_In):
    """A case opened by hand, from an interaction or for a customer."""

    interaction_id: int | None = Field(default=None, ge=1)
    customer_id: int | None = Field(default=None, ge=1)
    subject: str = Field(min_length=1, max_length=300)
    priority: Priority = Priority.normal
    tags: list[str] = Field(default_factory=list, max_length=20)
    department: str | None = Slug
    channel: str | None = Field(default=None, max_length=32)


class CaseChange(_In):
    status: CaseStatus | None = None
    priority: Priority | None = None
    tags: list[str] | None = Field(default=None, max_length=20)
    assignee: str | None = Field(default=None, max_length=320, description="Email; '' unassigns.")
    department: str | None = Field(default=None, max_length=64, description="Transfer here.")
    reason: str | None = Field(default=None, max_length=500)


class NoteIn(_In):
    text: str = Field(min_length=1, max_length=20_000)


class ReplyIn(_In):
    body: str = Field(min_length=1, max_length=50_000)
    subject: str | None = Field(default=None, max_length=300)
    then: Literal["waiting", "open", "solved"] = "waiting"


class MergeIn(_In):
    duplicate_id: int = Field(ge=1, description="The case folded into this one.")


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    subject: str
    status: str
    priority: str
    department_id: int | None
    queue: str
    assignee_id: int | None
    channel: str
    language: str | None
    tags: list[str]
    origin: str
    routing: dict[str, Any]
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    first_response_breached: bool
    resolution_breached: bool
    solved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    merged_into_id: int | None
    problem_id: int | None
    created_at: datetime
    updated_at: datetime


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    actor: str
    data: dict[str, Any]
    at: datetime


class CaseMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    interaction_id: int | None
    channel: str
    subject: str
    status: str
    attempts: int
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    active: bool
    conditions: list[dict[str, Any]]
    priority: str | None
    tags: list[str] = Field(default_factory=list)
    department_id: int | None = None
    queue: str | None = None


class SlaPolicyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    department_id: int | None
    priority: str | None
    first_response_minutes: int
    resolution_minutes: int
    warn_before_minutes: int
    escalate_to_user_id: int | None
    escalate_to_department_id: int | None
    escalate_priority: str | None


class ProblemIn(_In):
    title: str = Field(min_length=1, max_length=300, examples=["Fibre outage in Lyon"])
    description: str = Field(default="", max_length=20_000)
    topic: str | None = Field(default=None, max_length=200)
    case_ids: list[int] = Field(default_factory=list, max_length=10_000)


class ProblemFix(_In):
    fix: str = Field(min_length=1, max_length=20_000, examples=["Replaced the faulty switch"])


class ProblemAnnouncement(_In):
    message: str = Field(
        min_length=1, max_length=20_000, examples=["You told us; we replaced the switch."]
    )


class ProblemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    topic: str | None
    status: str
    fix: str
    announcement: str
    announced_at: datetime | None
    created_at: datetime
    fixed_at: datetime | None
    cases: int = 0


class SuggestionRead(BaseModel):
    topic: str
    case_ids: list[int]


class ReplyTemplateIn(_In):
    key: str = Field(min_length=1, max_length=64, examples=["refund-on-its-way"])
    language: str = Field(default="en", max_length=8, examples=["en", "fr", "pt-BR"])
    name: str | None = Field(default=None, max_length=200, examples=["Refund on its way"])
    subject: str = Field(default="", max_length=300, examples=["Your refund"])
    body: str = Field(
        min_length=1,
        max_length=20_000,
        examples=["Hello $customer_first_name,\nyour refund left today.\n$agent_name"],
    )


class ReplyTemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    language: str
    name: str
    subject: str
    body: str
    created_at: datetime
