"""Risk scoring every night, then the playbooks: the worker scores every customer it may
with the deployed risk models, churn and detraction (in batches, each replacing the batch's
previous scores, so a run that is retried or repeated leaves the same scores), then lets the
playbooks act.

Proactive and experiments are peers that never import each other, so this job is where a
playbook's "add to an experiment" meets the experiment: it draws the customers' arms.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import Directory
from cxloop.experiments import Experiment, Status, enrol
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.proactive import (
    DETRACTION,
    PlaybookRun,
    deployed_dir,
    deployed_model,
    run_playbooks,
    score_everyone,
)
from cxloop.types import utcnow

NIGHTLY_AT_HOUR_UTC = 4  # after retention (3:00), so nothing erased is scored
logger = logging.getLogger(__name__)


class ScorePayload(BaseModel):
    """Nothing to say: the deployed model and the timelines say it all."""


def act(session: Session, directory: Directory) -> PlaybookRun:
    """Run the playbooks on the latest scores and enrol whom they chose in experiments."""
    running = {
        e.id: e
        for e in session.scalars(select(Experiment).where(Experiment.status == Status.running))
    }
    run = run_playbooks(session, directory, running_experiments=set(running))
    for experiment_id, customer_ids in run.enrol.items():
        enrol(session, running[experiment_id], customer_ids)
    return run


def score(context: JobContext, _payload: ScorePayload) -> None:
    model_dir = context.settings.resolved_model_dir
    now = utcnow()
    churn = deployed_model(model_dir)
    detraction = deployed_model(model_dir, DETRACTION)
    if churn is None and detraction is None:
        logger.info(
            "proactive.score: no risk model in %s; train one with 'cxloop model train "
            "--task churn --from-timeline --label-trait NAME'",
            deployed_dir(model_dir),
        )
        return
    # Detraction first: the playbooks read both scores, and act on the churn-scored.
    if detraction is not None:
        logger.info(
            "proactive.score: %d customers scored for detraction",
            score_everyone(context.session, detraction, now=now),
        )
    if churn is None:
        logger.info("proactive.score: no churn model in %s", deployed_dir(model_dir))
        return
    scored = score_everyone(context.session, churn, now=now)
    run = act(context.session, Directory(context.session, context.settings.default_timezone))
    logger.info(
        "proactive.score: %d customers scored; playbook actions %s; left alone %s",
        scored,
        run.acted,
        run.skipped,
    )


SCORE = register(Job("proactive.score", ScorePayload, score, daily_at_hour=NIGHTLY_AT_HOUR_UTC))
