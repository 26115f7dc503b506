"""What understanding stores: one enrichment per interaction with text, and the taxonomy.

An enrichment keeps the redacted text (what analysts read) and the versions of every model
that produced it; ``versions_key`` is their digest, so finding stale enrichments after a
model changes is one indexed comparison on any database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId, JSONColumn
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class Enrichment(Base):
    __tablename__ = "enrichments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    interaction_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("interactions.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    language_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    redacted: Mapped[str] = mapped_column(Text, default="")
    pii: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn, default=list)
    truncated: Mapped[bool] = mapped_column(default=False)
    sentiment: Mapped[str | None] = mapped_column(String(16), default=None)
    sentiment_score: Mapped[float | None] = mapped_column(Float, default=None)
    emotion: Mapped[str | None] = mapped_column(String(32), default=None)
    emotions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    intent: Mapped[str | None] = mapped_column(String(200), default=None)
    intent_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    topics: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn, default=list)
    urgency: Mapped[str] = mapped_column(String(8), default="low")
    signals: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    note: Mapped[str | None] = mapped_column(String(300), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(default=1)
    model_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    versions_key: Mapped[str] = mapped_column(String(64))
    enriched_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_enrichments_versions_key", Enrichment.versions_key)


@configuration("topic")
class Topic(Base):
    """A node of the company's taxonomy (Billing > Unexpected charge). ``examples`` are
    customer phrasings that teach the matcher how people really say it."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), default=None
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
