"""``/api/v1/experiments``: plan, run and read experiments. Thin: parse, authorize, call the
experiments services, return.

Reading needs ``experiments.read``; creating, starting, stopping, assigning and logging
exposure need ``experiments.manage`` (admins and analysts).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cxloop.api.deps import ExperimentsManage, ExperimentsRead, SessionDep
from cxloop.experiments import (
    Enrolment,
    Experiment,
    ExperimentCreate,
    ExperimentRead,
    Exposure,
    ExposureRead,
    PlanIn,
    Results,
    SampleSize,
    counts,
    create_experiment,
    enrol,
    experiment_page,
    expose,
    get_experiment,
    plan_sample_size,
    read_experiment,
    results,
    segment,
    start_experiment,
    stop_experiment,
    update_plan,
)
from cxloop.types import UTCDateTime, as_utc

router = APIRouter(prefix="/experiments", tags=["experiments"])
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Cursor = Annotated[str | None, Query(description="The next_cursor of the previous page.")]


class ExperimentPage(BaseModel):
    items: list[ExperimentRead]
    next_cursor: str | None


class AssignIn(BaseModel):
    """Either customers by id or a segment: customers whose traits equal all those given."""

    model_config = ConfigDict(extra="forbid")

    customer_ids: list[int] | None = Field(default=None, min_length=1, max_length=100_000)
    segment: dict[str, str] | None = Field(
        default=None, description='Traits to match, e.g. {"plan": "premium"}.'
    )

    @model_validator(mode="after")
    def _one(self) -> AssignIn:
        if (self.customer_ids is None) == (self.segment is None):
            raise ValueError("give either customer_ids or segment")
        return self


class ExposureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int
    channel: str = Field(description="Where the customer met the arm (phone, email, web...).")
    at: UTCDateTime | None = Field(default=None, description="When; default now.")
    stage: str | None = Field(
        default=None, description="Journey stage of the exposure (support, usage...), if any."
    )


def _read(session: SessionDep, experiment: Experiment) -> ExperimentRead:
    return read_experiment(experiment, counts(session, [experiment.id]).get(experiment.id))


@router.post("", status_code=201, summary="Create an experiment with its plan")
def create(body: ExperimentCreate, session: SessionDep, _: ExperimentsManage) -> ExperimentRead:
    return _read(session, create_experiment(session, body))


@router.get("", summary="List experiments, newest first")
def list_experiments(
    session: SessionDep, _: ExperimentsRead, limit: Limit = 50, cursor: Cursor = None
) -> ExperimentPage:
    page = experiment_page(session, limit=limit, cursor=cursor)
    known = counts(session, [e.id for e in page.items])
    return ExperimentPage(
        items=[read_experiment(e, known.get(e.id)) for e in page.items],
        next_cursor=page.next_cursor,
    )


class SampleSizeRead(BaseModel):
    metric: str
    window_days: int
    customers: int = Field(description="Customers with a value in the last window.")
    mean: float
    sd: float = Field(description="Spread of one customer's value over a window.")
    minimum_effect: float
    per_arm: int = Field(description="Customers per arm with an outcome (80% power by default).")
    variance_reduction: float | None = Field(
        description="Share of the variance the window before explains (what CUPED removes)."
    )
    per_arm_with_cuped: int | None


@router.get("/sample-size", summary="Customers per arm, from the spread of your customers' values")
def sample_size(
    session: SessionDep,
    _: ExperimentsRead,
    metric: Annotated[str, Query(description="A metric of the catalogue (nps, csat, volume...).")],
    minimum_effect: Annotated[float, Query(description="The smallest effect that matters.")],
    filters: Annotated[list[str] | None, Query(description="Metric filters, dim:value.")] = None,
    binary: bool = False,
    window_days: Annotated[int, Query(ge=1, le=365)] = 30,
    alpha: Annotated[float, Query(gt=0, lt=1)] = 0.05,
    power: Annotated[float, Query(gt=0, lt=1)] = 0.8,
) -> SampleSizeRead:
    found: SampleSize = plan_sample_size(
        session,
        metric=metric,
        minimum_effect=minimum_effect,
        filters=filters,
        binary=binary,
        window_days=window_days,
        alpha=alpha,
        power=power,
    )
    return SampleSizeRead.model_validate(found, from_attributes=True)


@router.get("/{experiment_id}", summary="One experiment, with assigned and exposed counts")
def read(experiment_id: int, session: SessionDep, _: ExperimentsRead) -> ExperimentRead:
    return _read(session, get_experiment(session, experiment_id))


@router.put("/{experiment_id}/plan", summary="Change a draft's plan")
def change_plan(
    experiment_id: int, body: PlanIn, session: SessionDep, _: ExperimentsManage
) -> ExperimentRead:
    return _read(session, update_plan(session, get_experiment(session, experiment_id), body))


@router.post("/{experiment_id}/start", summary="Start: the plan is fixed from now on")
def start(experiment_id: int, session: SessionDep, _: ExperimentsManage) -> ExperimentRead:
    return _read(session, start_experiment(session, get_experiment(session, experiment_id)))


@router.post("/{experiment_id}/stop", summary="Stop, keeping the verdict the plan allows")
def stop(experiment_id: int, session: SessionDep, _: ExperimentsManage) -> ExperimentRead:
    return _read(session, stop_experiment(session, get_experiment(session, experiment_id)))


@router.post("/{experiment_id}/assignments", summary="Assign customers or a segment to arms")
def assign(
    experiment_id: int, body: AssignIn, session: SessionDep, _: ExperimentsManage
) -> Enrolment:
    experiment = get_experiment(session, experiment_id)
    ids = (
        body.customer_ids if body.customer_ids is not None else segment(session, body.segment or {})
    )
    return enrol(session, experiment, ids)


@router.post("/{experiment_id}/exposures", summary="Log that a customer met their arm")
def log_exposure(
    experiment_id: int, body: ExposureIn, session: SessionDep, _: ExperimentsManage
) -> ExposureRead:
    experiment = get_experiment(session, experiment_id)
    (row,) = expose(
        session, experiment, [Exposure(body.customer_id, body.channel, body.at, body.stage)]
    )
    return ExposureRead.model_validate(row)


@router.get("/{experiment_id}/results", summary="Effect, verdict and uplift by segment")
def read_results(
    experiment_id: int,
    session: SessionDep,
    _: ExperimentsRead,
    segment_by: Annotated[
        str | None, Query(max_length=64, description="A trait to split the effect by.")
    ] = None,
    as_of: Annotated[
        datetime | None, Query(description="Measure as of this moment (default now).")
    ] = None,
) -> Results:
    experiment = get_experiment(session, experiment_id)
    return results(session, experiment, segment_by=segment_by, now=as_utc(as_of) if as_of else None)
