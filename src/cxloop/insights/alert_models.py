"""What alerts and reports store: the rules people set, the digests they asked for, and one
row per message sent, which is what makes sending idempotent across runs and restarts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, JSONColumn
from cxloop.store.changes import configuration
from cxloop.types import utcnow


@configuration("alert_rule", secret={"webhook_url"}, ignore={"created_by"})
class StoredAlertRule(Base):
    """A threshold or significant-change rule on one metric, checked by the scheduler over
    the last ``days`` full days (against the ``days`` before)."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    metric: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    by: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    filters: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    days: Mapped[int] = mapped_column(default=7)
    user_ids: Mapped[list[int]] = mapped_column(JSONColumn, default=list)
    addresses: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(500), default=None)
    webhook_format: Mapped[str] = mapped_column(String(16), default="chat")
    """``chat`` (Slack/Teams ``{"text": ...}``) or ``standard`` (signed Standard Webhooks)."""
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@configuration("metric_report", ignore={"created_by"})
class MetricReport(Base):
    """A daily or weekly digest of chosen metrics emailed to chosen recipients."""

    __tablename__ = "metric_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    metrics: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    frequency: Mapped[str] = mapped_column(String(8), default="weekly")
    user_ids: Mapped[list[int]] = mapped_column(JSONColumn, default=list)
    addresses: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Dispatch(Base):
    """One message that went out: an alert for a rule, group and period on one channel, or a
    report for a period. The unique key is the promise that it goes out once."""

    __tablename__ = "insight_dispatches"
    __table_args__ = (
        UniqueConstraint(
            "subject",
            "owner_id",
            "group_key",
            "period",
            "channel",
            name="uq_insight_dispatches_once",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(8))
    """``alert`` or ``report``."""
    owner_id: Mapped[int]
    """The rule's or report's id (no foreign key: the record outlives a deleted rule)."""
    group_key: Mapped[str] = mapped_column(String(500))
    period: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    """``email`` or ``webhook``."""
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """A message whose first sending failed, kept to be tried again (the outbox): what to
    send, how often it was tried, when next, and why it failed. The same unique key as
    :class:`Dispatch`, so a message is queued once; once it goes out, a Dispatch records it.

    ``status``: ``pending`` (waiting for ``next_attempt_at``), ``sending`` (claimed by a
    worker: if the worker stops there, it is never tried again, so nothing arrives twice),
    ``sent``, or ``failed`` (refused for good, or every retry used)."""

    __tablename__ = "insight_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "subject",
            "owner_id",
            "group_key",
            "period",
            "channel",
            name="uq_insight_deliveries_once",
        ),
        Index("ix_insight_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[int]
    group_key: Mapped[str] = mapped_column(String(500))
    period: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(500))
    """What the message says first (the alert's or report's title), for the alerts page."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSONColumn)
    """What to send again: the notice and its recipients, or the webhook's URL and body."""
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
