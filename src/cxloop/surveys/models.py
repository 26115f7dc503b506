"""Surveys, their published versions, invitations, responses and opt-outs.

A response points at the version it answered, and versions are never edited: publishing a
changed draft adds a version, so answers to an earlier one keep their questions and scales.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class SurveyStatus(enum.StrEnum):
    draft = "draft"
    live = "live"
    closed = "closed"


class InvitationStatus(enum.StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    bounced = "bounced"
    failed = "failed"


class ResponseStatus(enum.StrEnum):
    partial = "partial"
    complete = "complete"


@configuration("survey")
class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=SurveyStatus.draft.value)
    draft: Mapped[dict[str, Any]] = mapped_column()
    cooldown_days: Mapped[int | None] = mapped_column(default=None)
    """Days before this survey may invite the same customer again (None: only the global rule)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@configuration("survey_version")
class SurveyVersion(Base):
    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    definition: Mapped[dict[str, Any]] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invitation(Base):
    """One customer asked once, on one channel; its times tell the response funnel."""

    __tablename__ = "survey_invitations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(32), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    trigger_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id"), default=None
    )
    trigger_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_triggers.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(16), default=InvitationStatus.queued.value)
    send_after: Mapped[datetime | None] = mapped_column(default=None)
    """Not before this time (a trigger's delay, quiet hours); None: at once."""
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    bounced_at: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


Index("ix_survey_invitations_survey_id_status", Invitation.survey_id, Invitation.status)


@configuration("survey_trigger")
class Trigger(Base):
    """Invite after a matching interaction: which moments, how soon, how many, and when not.

    Empty criteria match anything; ``properties`` must all be equal in the interaction's.
    """

    __tablename__ = "survey_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str | None] = mapped_column(String(200), default=None)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    stage: Mapped[str | None] = mapped_column(String(32), default=None)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    invite_channel: Mapped[str] = mapped_column(String(32), default="email")
    delay_minutes: Mapped[int] = mapped_column(default=0)
    sampling: Mapped[float] = mapped_column(default=1.0)
    quiet_start_hour: Mapped[int | None] = mapped_column(default=None)
    quiet_end_hour: Mapped[int | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DispatchMark(Base):
    """How far the trigger dispatcher has read the interactions (one row per dispatcher)."""

    __tablename__ = "survey_dispatch_marks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_interaction_id: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Response(Base):
    """Answers to one version, saved page by page; complete once the last page is sent."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id"), default=None, unique=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id"), default=None, index=True
    )
    channel: Mapped[str] = mapped_column(String(32))
    stage: Mapped[str | None] = mapped_column(String(32), default=None)
    place: Mapped[str | None] = mapped_column(String(100), default=None)
    """Where a QR code or link was put (a store, a receipt), when it says."""
    respondent: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    """Identities a site's widget passed for its visitor (``user_id``, ``anonymous_id``);
    the customer is resolved from them when the response completes."""
    locale: Mapped[str] = mapped_column(String(20))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ResponseStatus.partial.value)
    trigger_interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id"), default=None
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    anonymized_at: Mapped[datetime | None] = mapped_column(default=None)
    """When an erasure or retention kept only its scores; never again after."""


Index("ix_survey_responses_survey_id_status", Response.survey_id, Response.status)


BOUNCE_OPT_OUT = "bounce"
"""``OptOut.via`` of an address that bounced for good: it stops survey email only."""


class OptOut(Base):
    """A customer who asked not to be surveyed again; honoured by every channel."""

    __tablename__ = "survey_opt_outs"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    via: Mapped[str] = mapped_column(String(32), default="link")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
