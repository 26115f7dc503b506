"""Demo step: Brightwave anticipates. The risk model is trained on the demo's own history
(the CRM's ``status`` trait says who left; each leaver is seen a month before their
cancellation call), every customer still here is scored with the reasons in words, and a
retention playbook opens cases for the valuable customers most at risk.

The model goes where the nightly job would find it (the model directory the demo is given),
so the at-risk page shows its card; without one, it is trained in a temporary directory
only to score. A demo too small to learn from (fewer than five leavers) skips the step.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from cxloop.cases import Directory
from cxloop.demo.context import DemoContext
from cxloop.errors import ValidationFailed
from cxloop.proactive import (
    LabelSource,
    create_playbook,
    deployed_dir,
    run_playbooks,
    score_everyone,
    train_from_timeline,
)
from cxloop.store.uow import unit_of_work

LABEL = LabelSource(trait="status", positive="churned")
TRAITS = ["plan", "country", "monthly_value", "tenure_months"]
PLAYBOOK = "Call valuable customers at risk"
MIN_RISK = 0.2
MIN_VALUE = 40.0
TIMEZONE = "Europe/London"
logger = logging.getLogger(__name__)


def proactive_step(ctx: DemoContext) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        out = deployed_dir(ctx.model_dir) if ctx.model_dir else Path(scratch) / "churn"
        with unit_of_work(ctx.bind) as session:
            try:
                model = train_from_timeline(session, LABEL, traits=TRAITS, out=out, now=ctx.end)
            except ValidationFailed as exc:
                logger.info("demo: no risk model (%s)", exc.detail)
                return
            score_everyone(session, model, now=ctx.end)
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
            run_playbooks(session, Directory(session, TIMEZONE), now=ctx.end)
