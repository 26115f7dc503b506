"""The REST shape of an interaction logged by a person or a system (a call, a store visit)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from cxloop.customers import IdentityKey, IdentityKind, key
from cxloop.interactions.records import InteractionIn
from cxloop.types import UTCDateTime, utcnow


class CustomerRef(BaseModel):
    """Who the interaction is with: a known customer id, or any identities to resolve."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    user_id: str | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, description="E.164, e.g. +14155550100.")
    anonymous_id: str | None = None
    external_id: str | None = None
    external_system: str | None = Field(default=None, description="Namespace of external_id.")

    @model_validator(mode="after")
    def _names_someone(self) -> CustomerRef:
        if not any(
            (self.id, self.user_id, self.email, self.phone, self.anonymous_id, self.external_id)
        ):
            raise ValueError(
                "name the customer: id, user_id, email, phone, anonymous_id or external_id"
            )
        if self.external_id and not self.external_system:
            raise ValueError("external_id needs external_system")
        return self

    def identities(self) -> list[IdentityKey]:
        pairs: list[tuple[IdentityKind, str | None, str]] = [
            (IdentityKind.user_id, self.user_id, ""),
            (IdentityKind.email, self.email, ""),
            (IdentityKind.phone, self.phone, ""),
            (IdentityKind.anonymous_id, self.anonymous_id, ""),
            (IdentityKind.external, self.external_id, self.external_system or ""),
        ]
        return [key(kind, value, namespace) for kind, value, namespace in pairs if value]


class InteractionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef
    channel: str = Field(examples=["phone"])
    type: str = Field(min_length=1, max_length=200, examples=["call"])
    message_id: str | None = Field(
        default=None,
        max_length=200,
        description="Your id for this interaction; makes retries safe.",
    )
    stage: str | None = Field(default=None, examples=["support"])
    direction: Literal["in", "out"] = "in"
    assisted: bool = True
    agent: str | None = None
    department: str | None = Field(default=None, description="Department slug.")
    occurred_at: UTCDateTime | None = None
    text: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    traits: dict[str, Any] = Field(default_factory=dict, description="Profile updates.")

    def to_record(self, *, source_id: int | None = None) -> InteractionIn:
        received = utcnow()
        return InteractionIn(
            message_id=self.message_id or str(uuid.uuid4()),
            type=self.type,
            channel=self.channel,
            stage=self.stage,
            direction=self.direction,
            assisted=self.assisted,
            agent=self.agent,
            department=self.department,
            occurred_at=self.occurred_at or received,
            received_at=received,
            text=self.text,
            properties=self.properties,
            traits=self.traits,
            customer_id=self.customer.id,
            identities=[] if self.customer.id else self.customer.identities(),
            source_id=source_id,
        )


class InteractionBulk(BaseModel):
    interactions: list[InteractionCreate] = Field(min_length=1, max_length=1000)


class Stored(BaseModel):
    message_id: str
    customer_id: int | None
    status: Literal["stored", "duplicate", "rejected"]
    field: str | None = None
    detail: str | None = None


class StoredPage(BaseModel):
    stored: int
    duplicates: int
    rejected: int
    results: list[Stored]
