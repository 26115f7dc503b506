"""Running experiments with customers whose outcomes are known, through the services."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.experiments import (
    Experiment,
    ExperimentCreate,
    Exposure,
    create_experiment,
    enrol,
    expose,
    start_experiment,
)
from cxloop.surveys import Origin, Survey, complete, require_live, save_answers, start_response
from tests.customers.factories import make_customer

_seq = itertools.count(1)
EXPOSED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
AFTER = EXPOSED + timedelta(days=40)
"""A moment when every 30-day window that started at EXPOSED has ended."""


def experiment_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": f"callback-{next(_seq)}",
        "name": "Callback after a detractor score",
        "hypothesis": "A call within a day wins detractors back.",
        "metric": "nps",
        "arms": [{"name": "control"}, {"name": "call"}],
        "plan": {"analysis": "fixed", "minimum_effect": 10, "per_arm": 4, "window_days": 30},
    }
    data.update(overrides)
    return data


def make_experiment(session: Session, *, start: bool = True, **overrides: Any) -> Experiment:
    experiment = create_experiment(
        session, ExperimentCreate.model_validate(experiment_data(**overrides))
    )
    if start:
        start_experiment(session, experiment)
    return experiment


def customers(session: Session, count: int, **traits: Any) -> list[int]:
    return [make_customer(session, traits=dict(traits)).id for _ in range(count)]


def exposed(session: Session, experiment: Experiment, ids: list[int]) -> dict[int, str]:
    """Enrol and expose ``ids`` at EXPOSED by phone; each customer's arm."""
    arms = enrol(session, experiment, ids).arms
    expose(session, experiment, [Exposure(cid, "phone", EXPOSED) for cid in ids])
    return arms


def nps(session: Session, survey: Survey, customer_id: int, score: int, at: datetime) -> None:
    """A completed response of ``customer_id`` scoring ``score``, answered at ``at``."""
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel="email"),
        locale="en",
    )
    response.customer_id = customer_id
    save_answers(session, response, {"nps": score})
    complete(session, response)
    response.completed_at = at
    session.flush()
