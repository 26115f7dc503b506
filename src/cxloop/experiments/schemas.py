"""What an experiment looks like going in and coming out (API, web and CLI share these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cxloop.experiments.design import Analysis


class ArmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    weight: int = Field(default=1, ge=1, le=100)


class PlanIn(BaseModel):
    """The analysis, stated before the first customer is assigned."""

    model_config = ConfigDict(extra="forbid")

    analysis: Analysis = Field(
        description="fixed: one look when every arm has per_arm customers; sequential: an "
        "always-valid mSPRT that may be read at any time."
    )
    minimum_effect: float = Field(
        description="The smallest effect that matters, in the metric's unit per customer."
    )
    per_arm: int = Field(ge=2, description="Customers per arm with an outcome.")
    window_days: int = Field(
        default=30, ge=1, le=365, description="Days after exposure each outcome covers."
    )
    cuped: bool = Field(
        default=True, description="Adjust for the same metric over the window before exposure."
    )
    alpha: float = Field(default=0.05, gt=0, lt=0.5)


class ExperimentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str = Field(min_length=1, max_length=200)
    hypothesis: str = Field(default="", max_length=4000)
    metric: str = Field(description="A metric of the catalogue (GET /api/v1/metrics).")
    filters: list[str] = Field(
        default_factory=list,
        description="The metric's filters, as the metrics API takes them: 'direction:in'.",
    )
    binary: bool = Field(
        default=False,
        description="Count metrics only: 100 if it happened at all in the window, else 0.",
    )
    better: Literal["higher", "lower"] | None = Field(
        default=None,
        description="Which way the metric should move; default the catalogue's (contacts: "
        "say lower).",
    )
    unit: Literal["customer"] = "customer"
    arms: list[ArmIn] = Field(min_length=2, max_length=10, description="The first is control.")
    stratify_by: str | None = Field(
        default=None, max_length=64, description="A customer trait to balance the arms on."
    )
    plan: PlanIn


class PlanRead(PlanIn):
    pass


class ExperimentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    hypothesis: str
    metric: str
    filters: list[str]
    binary: bool
    better: str | None
    unit: str
    arms: list[ArmIn]
    stratify_by: str | None
    plan: PlanRead
    status: str
    verdict: str | None
    created_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None
    counts: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Per arm: customers assigned and exposed."
    )


class Enrolment(BaseModel):
    """The arms of the customers just enrolled; those already in the experiment keep theirs."""

    assigned: dict[str, int] = Field(description="Newly assigned customers per arm.")
    already: int = Field(description="Customers who were in the experiment before.")
    arms: dict[int, str] = Field(description="Every given customer's arm.")


class ExposureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    experiment_id: int
    customer_id: int
    arm: str
    assigned_at: datetime
    exposed_at: datetime | None
    exposure_channel: str | None


class ArmResult(BaseModel):
    name: str
    assigned: int
    exposed: int
    measured: int = Field(description="Exposed customers whose window ended, with an outcome.")
    pending: int = Field(description="Exposed customers whose window has not ended yet.")
    mean: float | None


class Comparison(BaseModel):
    arm: str
    effect: dict[str, Any]
    finished: bool
    verdict: str


class SegmentEffect(BaseModel):
    segment: str
    n_control: int
    n_treatment: int
    effect: dict[str, Any] | None
    note: str


class Uplift(BaseModel):
    trait: str
    arm: str
    segments: list[SegmentEffect]
    best: str | None
    summary: str


class Results(BaseModel):
    experiment_id: int
    metric: str
    metric_title: str
    unit: str
    higher_is_better: bool
    as_of: datetime
    arms: list[ArmResult]
    comparisons: list[Comparison]
    verdict: str
    notes: list[str]
    uplift: Uplift | None
