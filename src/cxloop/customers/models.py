"""Customers, the identities that point at them, and the record of every merge."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId
from cxloop.types import utcnow


class IdentityKind(enum.StrEnum):
    """How a customer is recognised. Order here is attribution priority, strongest first."""

    user_id = "user_id"
    external = "external"
    email = "email"
    phone = "phone"
    social = "social"
    anonymous_id = "anonymous_id"


WEAK_KINDS = frozenset({IdentityKind.anonymous_id})
# A customer holds at most one of these; two different values mean two different people.
EXCLUSIVE_KINDS = frozenset({IdentityKind.user_id})


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None, index=True)
    phone: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id"), default=None, index=True
    )


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "namespace", "value"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    namespace: Mapped[str] = mapped_column(String(100), default="")
    value: Mapped[str] = mapped_column(String(500))
    source_id: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_identities_value", Identity.value)


class Merge(Base):
    """A merge of ``loser`` into ``winner``: the loser's timeline and identities moved."""

    __tablename__ = "customer_merges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    winner_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    loser_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    interactions_moved: Mapped[int] = mapped_column(default=0)
    identities_moved: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
