"""What proactive stores: each customer's latest risks with their reasons (of leaving, and of
answering the next survey as a detractor), the playbooks that act on them, and every action a
playbook took (which is what the contact caps count)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId, JSONColumn
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class LatestScore(Base):
    """A customer's latest score from one model; scoring again replaces it."""

    __abstract__ = True

    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    risk: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn, default=list)
    """The features adding most to the risk: feature, value, text (in words), weight."""
    model_version: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class RiskScore(LatestScore):
    """The chance that the customer leaves (the churn model)."""

    __tablename__ = "risk_scores"


class DetractionScore(LatestScore):
    """The chance that the customer's next survey answer is a detractor's (NPS 0-6): a
    customer can be unhappy long before they think of leaving, and the other way round."""

    __tablename__ = "detraction_scores"


# The at-risk lists: riskiest first.
Index("ix_risk_scores_risk", RiskScore.risk)
Index("ix_detraction_scores_risk", DetractionScore.risk)


@configuration("playbook")
class Playbook(Base):
    """A next-best-action rule: customers at or above ``min_risk`` (and matching the other
    conditions) get its action (``case``, ``message`` or ``experiment``), at most once per
    ``cooldown_days`` across all playbooks."""

    __tablename__ = "playbooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    min_risk: Mapped[float] = mapped_column(Float)
    min_detraction: Mapped[float | None] = mapped_column(Float, default=None)
    """Also a chance of a detractor answer at least this (a customer with no detraction
    score does not match)."""
    reason_contains: Mapped[str | None] = mapped_column(String(200), default=None)
    trait: Mapped[str | None] = mapped_column(String(100), default=None)
    """With ``trait_min``: a customer's value (``monthly_value`` at least 50)."""
    trait_min: Mapped[float | None] = mapped_column(Float, default=None)
    consent: Mapped[str | None] = mapped_column(String(32), default=None)
    """A consent purpose the customer must have given (``marketing`` for a message)."""
    action: Mapped[str] = mapped_column(String(16), default="case")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), default=None
    )
    priority: Mapped[str] = mapped_column(String(8), default="high")
    tags: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    message: Mapped[str | None] = mapped_column(Text, default=None)
    """For ``message``: what the customer is sent, on the case the playbook opens."""
    sender_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    """For ``message``: whose name the message goes out in."""
    experiment_id: Mapped[int | None] = mapped_column(default=None)
    """For ``experiment``: the experiment the customer joins (an arm is drawn there; the
    experiments domain is a peer of this one, so the link is by id)."""
    cooldown_days: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaybookAction(Base):
    """One action a playbook (or a person, from the at-risk list) took for a customer."""

    __tablename__ = "playbook_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    playbook_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbooks.id", ondelete="SET NULL"), default=None
    )
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="SET NULL"), default=None
    )
    risk: Mapped[float] = mapped_column(Float)
    actor: Mapped[str] = mapped_column(String(320), default="system")
    at: Mapped[datetime] = mapped_column(default=utcnow)


# The cap's read: a customer's latest actions.
Index("ix_playbook_actions_customer", PlaybookAction.customer_id, PlaybookAction.at)
