"""Stopping an experiment, with the verdict its plan allows at that moment kept beside it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from cxloop.errors import Conflict, ValidationFailed
from cxloop.experiments.models import Experiment, Status
from cxloop.experiments.results import results
from cxloop.types import utcnow


def stop_experiment(
    session: Session, experiment: Experiment, *, now: datetime | None = None
) -> Experiment:
    """Stop assigning and exposing; an experiment stopped with nothing to compare says why."""
    if experiment.status != Status.running:
        raise Conflict(f"experiment '{experiment.key}' is {experiment.status}, not running")
    now = now or utcnow()
    try:
        verdict = results(session, experiment, now=now).verdict
    except ValidationFailed as exc:
        verdict = f"Stopped without a result: {exc.detail}"
    experiment.status = Status.stopped.value
    experiment.stopped_at = now
    experiment.verdict = verdict
    session.flush()
    return experiment
