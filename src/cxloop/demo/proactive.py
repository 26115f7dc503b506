"""Demo step: Brightwave anticipates. The risk model is trained on the demo's own history
(the CRM's ``status`` trait says who left; each leaver is seen a month before their
cancellation call), every customer still here is scored with the reasons in words, and a
retention playbook opens cases for the valuable customers most at risk. The detraction
model learns from every customer's latest NPS answer and scores everyone beside it; a second
playbook opens care cases for customers likely to answer 0-6 the churn playbook left alone.

The models go where the nightly job would find them (the model directory the demo is given),
so the at-risk page shows their cards; without one, they are trained in a temporary
directory only to score. A demo too small to learn from (fewer than five leavers, or of
detractors and others) skips that model.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from cxloop.cases import Directory
from cxloop.demo.context import DemoContext
from cxloop.errors import ValidationFailed
from cxloop.proactive import (
    DETRACTION,
    LabelSource,
    create_playbook,
    deployed_dir,
    run_playbooks,
    score_everyone,
    train_detraction,
    train_from_timeline,
)
from cxloop.store.uow import unit_of_work

LABEL = LabelSource(trait="status", positive="churned")
TRAITS = ["plan", "country", "monthly_value", "tenure_months"]
PLAYBOOK = "Call valuable customers at risk"
MIN_RISK = 0.2
MIN_VALUE = 40.0
DETRACTION_PLAYBOOK = "Call likely detractors before the next survey"
MIN_DETRACTION = 0.7  # the demo has few answers: only the clearest cases
TIMEZONE = "Europe/London"
logger = logging.getLogger(__name__)


def proactive_step(ctx: DemoContext) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = ctx.model_dir or Path(scratch)
        with unit_of_work(ctx.bind) as session:
            try:
                model = train_from_timeline(
                    session, LABEL, traits=TRAITS, out=deployed_dir(root), replace=True, now=ctx.end
                )
            except ValidationFailed as exc:
                logger.info("demo: no risk model (%s)", exc.detail)
                return
            score_everyone(session, model, now=ctx.end)
            try:
                detraction = train_detraction(
                    session,
                    traits=TRAITS,
                    out=deployed_dir(root, DETRACTION),
                    replace=True,
                    now=ctx.end,
                )
            except ValidationFailed as exc:
                logger.info("demo: no detraction model (%s)", exc.detail)
            else:
                score_everyone(session, detraction, now=ctx.end)
            create_playbook(
                session,
                name=PLAYBOOK,
                min_risk=MIN_RISK,
                department="retention",
                trait="monthly_value",
                trait_min=MIN_VALUE,
                tags=["save"],
                cooldown_days=30,
            )
            create_playbook(
                session,
                name=DETRACTION_PLAYBOOK,
                min_risk=0.0,
                min_detraction=MIN_DETRACTION,
                department="retention",
                tags=["detractor"],
                priority="normal",
                cooldown_days=30,
            )
            run_playbooks(session, Directory(session, TIMEZONE), now=ctx.end)
