"""An experiment's result: each arm's outcome, the effect under the stated plan, in words.

Only exposed customers whose window has ended are analysed, so every customer is measured
over the same length of time whichever arm they are in. Each treatment arm is compared with
the first arm (the control) by :func:`cxloop.experiments.analyse`, with the plan stated at
creation: a fixed-horizon experiment gets no verdict before its planned sample.

CUPED uses the same metric over the window before each customer's exposure. Customers who
had no value then (no survey answer) get the pre-period mean: the covariate is still fixed
before the treatment, so the effect stays unbiased, and the customers who had one still
narrow the interval.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.experiments.design import analyse
from cxloop.experiments.models import Assignment, Experiment
from cxloop.experiments.outcomes import Window, outcomes
from cxloop.experiments.schemas import ArmResult, Comparison, PlanIn, Results
from cxloop.experiments.service import (
    arms_of,
    catalogue_metric,
    metric_filters,
    plan_of,
)
from cxloop.experiments.uplift import Outcome, uplift
from cxloop.insights import Metric
from cxloop.types import utcnow


def outcome_unit(metric: Metric, binary: bool) -> str:
    if binary:
        return "% of customers"
    return f"{metric.unit} per customer" if metric.measure.kind == "count" else metric.unit


def _plan(experiment: Experiment) -> PlanIn:
    return PlanIn.model_validate({name: getattr(experiment, name) for name in PlanIn.model_fields})


def higher_is_better(experiment: Experiment, metric: Metric) -> bool:
    return metric.higher_is_better if experiment.better is None else experiment.better == "higher"


def _judgement(higher: bool, difference: float) -> str:
    better = (difference > 0) == higher
    return " That is an improvement." if better else " That is worse."


def _pre_values(
    groups: Sequence[Sequence[int]], pre: dict[int, float], notes: list[str]
) -> list[list[float]] | None:
    """Each group's pre-period values (the mean where a customer had none), or None with a
    note when the pre-period cannot help."""
    everyone = [cid for group in groups for cid in group]
    known = [pre[cid] for cid in everyone if cid in pre]
    if len(known) < 2 or float(np.var(known)) == 0:
        notes.append(
            "CUPED not applied: too few customers had a value in the pre-period, or all the same."
        )
        return None
    centre = float(np.mean(known))
    notes.append(
        f"CUPED used the pre-period values of {len(known)} of {len(everyone)} customers "
        "(the others count at the pre-period mean)."
    )
    return [[pre.get(cid, centre) for cid in group] for group in groups]


def _check_arm(name: str, arm: ArmResult, metric: Metric, window_days: int) -> None:
    """Name the first reason an arm has nothing to compare yet."""
    reasons = (
        (arm.assigned, "no customers assigned"),
        (arm.exposed, f"{arm.assigned} customers assigned but none exposed"),
        (
            arm.exposed - arm.pending,
            f"{arm.exposed} exposed customers, none past their {window_days}-day window yet",
        ),
        (arm.measured, f"no customer with a {metric.title} value in their window"),
    )
    for count, reason in reasons:
        if count == 0:
            raise ValidationFailed(
                f"arm '{name}' has {reason}; there is no effect to estimate yet", field=name
            )


def results(
    session: Session,
    experiment: Experiment,
    *,
    now: datetime | None = None,
    segment_by: str | None = None,
) -> Results:
    now = now or utcnow()
    metric = catalogue_metric(experiment.metric)
    higher = higher_is_better(experiment, metric)
    window = timedelta(days=experiment.window_days)
    rows = list(
        session.scalars(select(Assignment).where(Assignment.experiment_id == experiment.id))
    )
    exposed = [a for a in rows if a.exposed_at is not None]
    complete = [a for a in exposed if a.exposed_at is not None and a.exposed_at + window <= now]
    windows = [
        Window(a.customer_id, "post", a.exposed_at, a.exposed_at + window)
        for a in complete
        if a.exposed_at is not None
    ]
    if experiment.cuped:
        windows += [Window(w.customer_id, "pre", w.since - window, w.since) for w in windows]
    values = outcomes(
        session,
        metric,
        windows,
        filters=metric_filters(metric, experiment.filters),
        binary=experiment.binary,
    )
    post, pre = values.get("post", {}), values.get("pre", {})
    finished = {a.customer_id for a in complete}
    by_arm: dict[str, list[Assignment]] = defaultdict(list)
    for a in rows:
        by_arm[a.arm].append(a)
    measured: dict[str, list[int]] = {}
    arms: list[ArmResult] = []
    for planned in arms_of(experiment):
        members = by_arm.get(planned.name, [])
        done = [a.customer_id for a in members if a.customer_id in finished]
        measured[planned.name] = [cid for cid in done if cid in post]
        exposed_n = sum(1 for a in members if a.exposed_at is not None)
        arms.append(
            ArmResult(
                name=planned.name,
                assigned=len(members),
                exposed=exposed_n,
                measured=len(measured[planned.name]),
                pending=exposed_n - len(done),
                mean=float(np.mean([post[c] for c in measured[planned.name]]))
                if measured[planned.name]
                else None,
            )
        )
    notes = _notes(arms, metric, experiment)
    control = arms[0]
    _check_arm(control.name, control, metric, experiment.window_days)
    plan = plan_of(metric, _plan(experiment))
    comparisons: list[Comparison] = []
    for arm in arms[1:]:
        _check_arm(arm.name, arm, metric, experiment.window_days)
        groups = [measured[control.name], measured[arm.name]]
        before = _pre_values(groups, pre, notes) if experiment.cuped else None
        verdict = analyse(
            plan,
            [post[c] for c in groups[0]],
            [post[c] for c in groups[1]],
            pre_control=before[0] if before else None,
            pre_treatment=before[1] if before else None,
            names=(control.name, arm.name),
        )
        text = verdict.text
        if verdict.finished and verdict.effect.significant:
            text += _judgement(higher, verdict.effect.difference)
        comparisons.append(
            Comparison(
                arm=arm.name,
                effect=verdict.effect.as_dict(),
                finished=verdict.finished,
                verdict=text,
            )
        )
    trait = segment_by or experiment.stratify_by
    return Results(
        experiment_id=experiment.id,
        metric=metric.name,
        metric_title=metric.title,
        unit=outcome_unit(metric, experiment.binary),
        higher_is_better=higher,
        as_of=now,
        arms=arms,
        comparisons=comparisons,
        verdict=" ".join(c.verdict for c in comparisons),
        notes=notes,
        uplift=uplift(
            session,
            trait,
            Outcome(control.name, {c: post[c] for c in measured[control.name]}),
            Outcome(arms[1].name, {c: post[c] for c in measured[arms[1].name]}),
            higher_is_better=higher,
            alpha=experiment.alpha,
        )
        if trait
        else None,
    )


def _notes(arms: Sequence[ArmResult], metric: Metric, experiment: Experiment) -> list[str]:
    notes = []
    unexposed = sum(a.assigned - a.exposed for a in arms)
    pending = sum(a.pending for a in arms)
    missing = sum(a.exposed - a.pending - a.measured for a in arms)
    if unexposed:
        notes.append(f"{unexposed} assigned customers were never exposed and are not analysed.")
    if pending:
        notes.append(
            f"{pending} exposed customers are still inside their {experiment.window_days}-day "
            "window and are not counted yet."
        )
    if missing:
        notes.append(
            f"{missing} customers had no {metric.title} value in their window and are not "
            "analysed (whether customers answer at all is not part of this effect)."
        )
    return notes
