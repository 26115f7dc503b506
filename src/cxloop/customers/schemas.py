"""What the customer read side hands out: one shape for the API and the web pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class IdentityRead(BaseModel):
    """One way of recognising the customer (an email, a phone, a user id, a social handle...)."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    namespace: str = Field(description="The system of an external id or the social network.")
    value: str


class CustomerRead(BaseModel):
    """A customer profile with every identity that resolves to it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str | None
    email: str | None
    phone: str | None
    traits: dict[str, Any]
    created_at: datetime
    identities: list[IdentityRead] = Field(default_factory=list)
    masked: bool = Field(
        default=False,
        description="True when personal data is masked because the caller lacks pii.read.",
    )


class CustomerPage(BaseModel):
    """A page of customers; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[CustomerRead]
    next_cursor: str | None
