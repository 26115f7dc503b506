"""``cases.deliver``: send agents' answers once the unit of work that queued them commits;
``cases.delivery_sweep``: every few minutes, pick up the answers no run will look at again.

The job runs again (after ``retry_delay_s``) while a server cannot be reached, up to the runs
delivery allows; what it sends is decided by the messages' state, not by the payload, so a
repeated run sends nothing twice.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field

from cxloop.cases import (
    DELIVERY_RUNS,
    RETRY_DELAY_S,
    SENDER_STOPPED,
    deliver_messages,
    sweep_messages,
)
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.types import utcnow

MAX_BATCH = 1000
SWEEP_EVERY_MINUTES = 5
logger = logging.getLogger(__name__)


class DeliverPayload(BaseModel):
    message_ids: list[int] = Field(min_length=1, max_length=MAX_BATCH)


class DeliveryDeferred(RuntimeError):
    """Some answers could not reach their server yet: the job system runs this again."""


def deliver(context: JobContext, payload: DeliverPayload) -> None:
    # Delivery commits its claim before sending and its outcome after, in units of work of
    # its own on the job's database; the job's own session stays unused.
    report = deliver_messages(context.session.get_bind(), context.settings, payload.message_ids)
    if report.deferred:
        raise DeliveryDeferred(f"{report.deferred} answers wait for their server")


class SweepPayload(BaseModel):
    """Nothing to say: the messages' states and times say it all."""


def sweep(context: JobContext, _payload: SweepPayload) -> None:
    """Queue again what never reached the queue; report what a stopped sender left."""
    found = sweep_messages(context.session, now=utcnow())
    if found.requeued:
        logger.warning(
            "queued %d case answers again that had no delivery job: %s",
            len(found.requeued),
            found.requeued,
        )
    for message_id in found.stopped:
        logger.error("case answer %d failed: %s", message_id, SENDER_STOPPED)


DELIVER = register(
    Job(
        "cases.deliver",
        DeliverPayload,
        deliver,
        retries=DELIVERY_RUNS - 1,
        retry_delay_s=RETRY_DELAY_S,
    )
)
DELIVERY_SWEEP = register(
    Job(
        "cases.delivery_sweep",
        SweepPayload,
        sweep,
        every_minutes=SWEEP_EVERY_MINUTES,
        retries=0,
    )
)
