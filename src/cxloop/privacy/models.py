"""What cxloop keeps to show it handles personal data properly: consent, requests, audit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class Purpose(enum.StrEnum):
    """What a customer may agree to, separately."""

    surveys = "surveys"
    marketing = "marketing"
    analytics = "analytics"
    profiling = "profiling"


class ConsentRecord(Base):
    """One decision of a customer about one purpose. Never updated: the latest one counts, and
    the history shows when and through which channel each decision was given."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_consent_records_customer", ConsentRecord.customer_id, ConsentRecord.purpose)


class RequestKind(enum.StrEnum):
    export = "export"
    erasure = "erasure"


class RequestStatus(enum.StrEnum):
    received = "received"
    completed = "completed"
    rejected = "rejected"


class DataRequest(Base):
    """A data subject's request (GDPR articles 15, 17, 20), tracked against its legal due date."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.received.value)
    mode: Mapped[str | None] = mapped_column(String(16), default=None)
    requested_by: Mapped[str] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(String(2000), default=None)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    archive_path: Mapped[str | None] = mapped_column(String(1000), default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEntry(Base):
    """Who did what to which record, when and from where. Append-only: the database refuses
    updates and deletes of this table (triggers installed by the migration)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(64), default=None)
    target_id: Mapped[str | None] = mapped_column(String(200), default=None)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class RetentionAction(enum.StrEnum):
    anonymize = "anonymize"
    delete = "delete"


@configuration("retention_policy", ignore={"updated_by"})
class RetentionPolicy(Base):
    """Keep one kind of data (``raw_text``, ``interactions``, ``responses``...) for ``days``,
    then anonymize or delete it. One policy per kind; no policy keeps data indefinitely."""

    __tablename__ = "retention_policies"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    days: Mapped[int]
    action: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(320))
