"""``cases.deliver``: send agents' answers once the unit of work that queued them commits.

The job runs again (after ``retry_delay_s``) while a server cannot be reached, up to the runs
delivery allows; what it sends is decided by the messages' state, not by the payload, so a
repeated run sends nothing twice.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from cxloop.cases import DELIVERY_RUNS, deliver_messages
from cxloop.jobs.registry import Job, JobContext, register

MAX_BATCH = 1000


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


DELIVER = register(
    Job("cases.deliver", DeliverPayload, deliver, retries=DELIVERY_RUNS - 1, retry_delay_s=120)
)
