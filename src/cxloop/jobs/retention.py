"""Retention, applied by the worker every night: each policy anonymizes or deletes what is
past its days (see cxloop.privacy.retention), and each run is audited."""

from __future__ import annotations

from pydantic import BaseModel

from cxloop.jobs.registry import Job, JobContext, register
from cxloop.privacy import apply_retention

ACTOR = "system:retention"
NIGHTLY_AT_HOUR_UTC = 3


class RetentionPayload(BaseModel):
    """Nothing to say: the policies in the database say it all."""


def apply(context: JobContext, _payload: RetentionPayload) -> None:
    apply_retention(context.session, dry_run=False, actor=ACTOR)


RETENTION = register(
    Job("privacy.retention", RetentionPayload, apply, daily_at_hour=NIGHTLY_AT_HOUR_UTC)
)
