"""Risk scoring every night, then the playbooks: the worker scores every customer it may
with the deployed risk model (in batches, each replacing the batch's previous scores, so a
run that is retried or repeated leaves the same scores), then lets the playbooks act."""

from __future__ import annotations

import logging

from pydantic import BaseModel

from cxloop.cases import Directory
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.proactive import deployed_dir, deployed_model, run_playbooks, score_everyone
from cxloop.types import utcnow

NIGHTLY_AT_HOUR_UTC = 4  # after retention (3:00), so nothing erased is scored
logger = logging.getLogger(__name__)


class ScorePayload(BaseModel):
    """Nothing to say: the deployed model and the timelines say it all."""


def score(context: JobContext, _payload: ScorePayload) -> None:
    model_dir = context.settings.resolved_model_dir
    model = deployed_model(model_dir)
    if model is None:
        logger.info(
            "proactive.score: no risk model in %s; train one with 'cxloop model train "
            "--task churn --from-timeline --label-trait NAME'",
            deployed_dir(model_dir),
        )
        return
    now = utcnow()
    scored = score_everyone(context.session, model, now=now)
    directory = Directory(context.session, context.settings.default_timezone)
    run = run_playbooks(context.session, directory, now=now)
    logger.info(
        "proactive.score: %d customers scored; playbook actions %s; left alone %s",
        scored,
        run.acted,
        run.skipped,
    )


SCORE = register(Job("proactive.score", ScorePayload, score, daily_at_hour=NIGHTLY_AT_HOUR_UTC))
