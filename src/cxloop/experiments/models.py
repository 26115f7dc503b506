"""What the experiments domain stores: each experiment with the plan it stated before it
started, and each customer's arm.

The arm is stored even though :func:`cxloop.experiments.assign` could recompute it: a
stratified assignment depends on the batch a customer came in with, and the stored row is
what keeps every customer in their first arm whatever happens later. The exposure moment is
kept on the same row (and, as an interaction, on the customer's timeline), so results read one
table instead of scanning the timeline.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cxloop.store.base import Base, BigId, JSONColumn
from cxloop.store.changes import configuration
from cxloop.types import utcnow


class Status(enum.StrEnum):
    draft = "draft"
    """The plan may still change; nobody is assigned."""
    running = "running"
    stopped = "stopped"


@configuration("experiment")
class Experiment(Base):
    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    """Part of every customer's hash: a new key is a new, independent split."""
    name: Mapped[str] = mapped_column(String(200))
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    metric: Mapped[str] = mapped_column(String(64))
    """A metric of the insights catalogue, measured per customer after their exposure."""
    filters: Mapped[list[str]] = mapped_column(JSONColumn, default=list)
    """The metric's own filters ("direction:in"), as the metrics API takes them."""
    binary: Mapped[bool] = mapped_column(default=False)
    """For a count: did it happen at all (100) or not (0), e.g. churned = any termination."""
    better: Mapped[str | None] = mapped_column(String(8), default=None)
    """"higher" or "lower": which way the metric should move (default: the catalogue's)."""
    unit: Mapped[str] = mapped_column(String(16), default="customer")
    arms: Mapped[list[dict[str, Any]]] = mapped_column(JSONColumn)
    """``[{"name": ..., "weight": ...}]``; the first arm is the control."""
    stratify_by: Mapped[str | None] = mapped_column(String(64), default=None)
    analysis: Mapped[str] = mapped_column(String(16))
    minimum_effect: Mapped[float] = mapped_column(Float)
    per_arm: Mapped[int] = mapped_column()
    window_days: Mapped[int] = mapped_column()
    """Each customer's outcome is measured over this many days after their exposure."""
    cuped: Mapped[bool] = mapped_column(default=True)
    alpha: Mapped[float] = mapped_column(Float, default=0.05)
    status: Mapped[str] = mapped_column(String(16), default=Status.draft.value)
    verdict: Mapped[str | None] = mapped_column(Text, default=None)
    """What the analysis said when the experiment was stopped."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class Assignment(Base):
    __tablename__ = "experiment_assignments"
    __table_args__ = (UniqueConstraint("experiment_id", "customer_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    arm: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    exposed_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the customer first met their arm (the control meets "nothing" at that moment)."""
    exposure_channel: Mapped[str | None] = mapped_column(String(32), default=None)
