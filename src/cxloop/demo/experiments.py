"""The demo's finished experiment: a callback from the retention team within the hour of a
detractor score, against no callback, measured on each customer's NPS over the next 30 days.

Customers who answered 0-6 are enrolled (balanced by plan) and exposed an hour after their
answer, by phone for the call arm and where they answered for the control. Their next answer,
inside the window, is drawn with a known effect: the call halves detractors and triples
promoters (NPS -50 without the call, 0 with it, +50 points). The experiment is then stopped
at the demo's end with the verdict its plan allows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.demo.context import DemoContext
from cxloop.experiments import (
    Experiment,
    ExperimentCreate,
    Exposure,
    create_experiment,
    enrol,
    expose,
    sample_size_mean,
    start_experiment,
    stop_experiment,
)
from cxloop.store.uow import unit_of_work
from cxloop.surveys import Response

KEY = "detractor-callback"
WINDOW = timedelta(days=30)
SCORES = {  # the next NPS answer: (detractor, passive, promoter) shares and their scores
    "control": ((0.6, 0.3, 0.1), (4, 7, 9)),
    "call": ((0.3, 0.4, 0.3), (5, 8, 10)),
}
EFFECT = 50.0
"""The simulated effect on NPS, in points: -50 without the call, 0 with it."""


Answer = tuple[Response, datetime]


def _detractors(session: Session, ctx: DemoContext) -> dict[int, Answer]:
    """Each live customer's first detractor answer early enough for a whole window."""
    live = select(Customer.id).where(Customer.merged_into_id.is_(None))
    rows = session.scalars(
        select(Response)
        .where(
            Response.status == "complete",
            Response.customer_id.in_(live),
            Response.completed_at >= ctx.end - timedelta(days=240),
            Response.completed_at < ctx.end - WINDOW - timedelta(days=5),
        )
        .order_by(Response.completed_at, Response.id)
    )
    first: dict[int, Answer] = {}
    for response in rows:
        score, at, cid = response.answers.get("nps"), response.completed_at, response.customer_id
        if isinstance(score, int) and score <= 6 and cid is not None and at is not None:
            first.setdefault(cid, (response, at))
    return first


def _create(session: Session, population: int, strata: int) -> Experiment:
    planned = sample_size_mean(sd=75, effect=40)
    reachable = max(2, population // 2 - strata)
    return create_experiment(
        session,
        ExperimentCreate.model_validate(
            {
                "key": KEY,
                "name": "Proactive callback after a detractor score",
                "hypothesis": "A call from the retention team within the hour of a 0-6 score "
                "turns detractors around: their next NPS answer is higher.",
                "metric": "nps",
                "arms": [{"name": "control"}, {"name": "call"}],
                "stratify_by": "plan",
                "plan": {
                    "analysis": "fixed",
                    "minimum_effect": 40,
                    "per_arm": min(planned, reachable),
                    "window_days": WINDOW.days,
                    "cuped": True,
                },
            }
        ),
    )


def _answer_again(ctx: DemoContext, session: Session, answered: Answer, arm: str) -> None:
    first, when = answered
    shares, scores = SCORES[arm]
    score = ctx.rng.choices(scores, weights=shares)[0]
    at = when + timedelta(hours=1) + timedelta(days=ctx.rng.uniform(3, 25))
    session.add(
        Response(
            survey_id=first.survey_id,
            version_id=first.version_id,
            customer_id=first.customer_id,
            channel="email",
            stage=first.stage,
            locale="en",
            answers={**first.answers, "nps": score},
            status="complete",
            started_at=at,
            updated_at=at,
            completed_at=at,
        )
    )


def experiments_step(ctx: DemoContext) -> None:
    with unit_of_work(ctx.bind) as session:
        first = _detractors(session, ctx)
        plans = {
            t.get("plan")
            for t in session.scalars(select(Customer.traits).where(Customer.id.in_(first)))
        }
        experiment = _create(session, len(first), len(plans))
        start_experiment(session, experiment)
        if first:
            experiment.started_at = min(at for _, at in first.values())
        arms = enrol(session, experiment, list(first)).arms if first else {}
        exposures = [
            Exposure(
                cid,
                "phone" if arms[cid] == "call" else response.channel,
                at + timedelta(hours=1),
                response.stage,
            )
            for cid, (response, at) in first.items()
        ]
        if exposures:
            expose(session, experiment, exposures)
        for cid, answered in first.items():
            _answer_again(ctx, session, answered, arms[cid])
        session.flush()
        stop_experiment(session, experiment, now=ctx.end)
    ctx.counts["experiments"] = 1
