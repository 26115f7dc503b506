"""Interactions on the timeline, and the channels, journey stages and sources that frame them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId
from cxloop.store.changes import configuration
from cxloop.types import utcnow


@configuration("channel")
class Channel(Base):
    __tablename__ = "channels"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    assisted: Mapped[bool] = mapped_column(default=False)


@configuration("stage")
class JourneyStage(Base):
    __tablename__ = "journey_stages"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


@configuration("source", secret={"write_key_hash"})
class Source(Base):
    """Where interactions come from: a Segment-style library, a webhook, an import, the API.

    ``stage_rules`` maps event names to journey stages; ``mapping`` turns an inbound webhook
    payload into interactions with JMESPath expressions. Only the write key's hash is kept.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="segment")
    write_key_prefix: Mapped[str] = mapped_column(String(32), unique=True)
    write_key_hash: Mapped[str] = mapped_column(String(200))
    default_channel: Mapped[str | None] = mapped_column(String(32), default=None)
    default_stage: Mapped[str | None] = mapped_column(String(32), default=None)
    stage_rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mapping: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Interaction(Base):
    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), default=None)
    channel: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(32), default=None)
    direction: Mapped[str] = mapped_column(String(3), default="in")
    assisted: Mapped[bool] = mapped_column(default=False)
    agent: Mapped[str | None] = mapped_column(String(200), default=None)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), default=None)
    type: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str | None] = mapped_column(Text, default=None)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    anonymized_at: Mapped[datetime | None] = mapped_column(default=None)
    """When an erasure or retention stripped it to what metrics count; never again after."""


# The timeline read: one customer's interactions, newest first, with a unique tie-breaker.
Index("ix_interactions_timeline", Interaction.customer_id, Interaction.occurred_at, Interaction.id)
