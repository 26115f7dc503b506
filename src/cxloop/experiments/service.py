"""Experiments stored: created with their plan, started, stopped, read.

The plan (metric, arms, analysis, sample, window) is checked whole when the experiment is
created and can only change while it is a draft: deciding how to read an experiment after
seeing its data is how experiments "find" effects that are not there.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.experiments.assignment import Arm, check_arms
from cxloop.experiments.design import Plan
from cxloop.experiments.models import Assignment, Experiment, Status
from cxloop.experiments.outcomes import check_metric
from cxloop.experiments.schemas import ExperimentCreate, ExperimentRead, PlanIn, PlanRead
from cxloop.insights import Metric, metric_named, parse_query
from cxloop.store.crud import Page, get_or_404, keyset_page
from cxloop.types import utcnow


def catalogue_metric(name: str) -> Metric:
    """The catalogue's metric, refused as bad input (not a missing page) when unknown."""
    try:
        return metric_named(name)
    except NotFound as exc:
        raise ValidationFailed(exc.detail, field="metric") from None


def metric_filters(metric: Metric, filters: list[str]) -> dict[str, tuple[str, ...]]:
    return dict(parse_query(metric, filters=filters).filters)


def _check(data: ExperimentCreate) -> None:
    metric = catalogue_metric(data.metric)
    check_metric(metric, binary=data.binary)
    metric_filters(metric, data.filters)
    check_arms([Arm(a.name, a.weight) for a in data.arms])
    plan_of(metric, data.plan)


def plan_of(metric: Metric, plan: PlanIn) -> Plan:
    return Plan(
        metric=metric.title,
        analysis=plan.analysis,
        minimum_effect=plan.minimum_effect,
        per_arm=plan.per_arm,
        alpha=plan.alpha,
    )


def create_experiment(session: Session, data: ExperimentCreate) -> Experiment:
    _check(data)
    if session.scalar(select(Experiment.id).where(Experiment.key == data.key)) is not None:
        raise Conflict(f"an experiment with the key '{data.key}' exists; keys are never reused")
    experiment = Experiment(
        key=data.key,
        name=data.name,
        hypothesis=data.hypothesis,
        metric=data.metric,
        filters=list(data.filters),
        binary=data.binary,
        better=data.better,
        unit=data.unit,
        arms=[a.model_dump() for a in data.arms],
        stratify_by=data.stratify_by,
        **data.plan.model_dump(),
    )
    session.add(experiment)
    session.flush()
    return experiment


def get_experiment(session: Session, experiment_id: int) -> Experiment:
    return get_or_404(session, Experiment, experiment_id, what="experiment")


def experiment_page(session: Session, *, limit: int, cursor: str | None) -> Page[Experiment]:
    """Newest first."""
    return keyset_page(
        session,
        select(Experiment),
        keys=[Experiment.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda e: [e.id],
    )


def arms_of(experiment: Experiment) -> list[Arm]:
    return [Arm(str(a["name"]), int(a["weight"])) for a in experiment.arms]


def counts(session: Session, experiment_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    """Per experiment and arm: customers assigned and exposed."""
    found: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    rows = session.execute(
        select(
            Assignment.experiment_id,
            Assignment.arm,
            func.count(),
            func.count(Assignment.exposed_at),
        )
        .where(Assignment.experiment_id.in_(experiment_ids))
        .group_by(Assignment.experiment_id, Assignment.arm)
    )
    for experiment_id, arm, assigned, exposed in rows:
        found[experiment_id][arm] = {"assigned": int(assigned), "exposed": int(exposed)}
    return found


def read_experiment(
    experiment: Experiment, arm_counts: dict[str, dict[str, int]] | None = None
) -> ExperimentRead:
    known = arm_counts or {}
    fields: dict[str, Any] = {
        name: getattr(experiment, name)
        for name in ExperimentRead.model_fields
        if name not in ("plan", "counts", "arms")
    }
    return ExperimentRead(
        **fields,
        arms=experiment.arms,
        plan=PlanRead.model_validate(
            {name: getattr(experiment, name) for name in PlanRead.model_fields}
        ),
        counts={
            a.name: known.get(a.name, {"assigned": 0, "exposed": 0}) for a in arms_of(experiment)
        },
    )


def update_plan(session: Session, experiment: Experiment, plan: PlanIn) -> Experiment:
    """Only a draft's plan changes; once customers are assigned it is what was promised."""
    if experiment.status != Status.draft:
        raise Conflict(
            f"experiment '{experiment.key}' is {experiment.status}; its plan was fixed when it "
            "started"
        )
    plan_of(catalogue_metric(experiment.metric), plan)
    for name, value in plan.model_dump().items():
        setattr(experiment, name, value)
    session.flush()
    return experiment


def start_experiment(session: Session, experiment: Experiment) -> Experiment:
    if experiment.status != Status.draft:
        raise Conflict(f"experiment '{experiment.key}' is {experiment.status}, not a draft")
    experiment.status = Status.running.value
    experiment.started_at = utcnow()
    session.flush()
    return experiment


def require_running(experiment: Experiment) -> None:
    if experiment.status != Status.running:
        raise Conflict(
            f"experiment '{experiment.key}' is {experiment.status}; customers join only while "
            "it runs (start it first, so its plan is fixed before anyone is assigned)"
        )
