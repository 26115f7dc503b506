"""Background jobs: one registry, one queue (huey on SQLite or Redis), and the bus
subscriptions that turn committed domain events into jobs.

Domains never import this package; it listens to them.
"""

from __future__ import annotations

import logging

from cxloop import bus
from cxloop.interactions import InteractionsRecorded
from cxloop.jobs.enrichment import ENRICH, EnrichPayload, batches
from cxloop.jobs.queue import Queue, make_huey
from cxloop.jobs.registry import JOBS, Job, JobContext, register
from cxloop.jobs.retention import RETENTION

_installed: list[Queue] = []
logger = logging.getLogger(__name__)


def install(queue: Queue) -> Queue:
    """Make ``queue`` the one committed events are sent to in this process."""
    _installed[:] = [queue]
    bus.subscribe(InteractionsRecorded, _on_interactions_recorded)
    return queue


def installed() -> Queue | None:
    return _installed[0] if _installed else None


def _on_interactions_recorded(event: InteractionsRecorded) -> None:
    """Queue enrichment. The interactions are already committed and acknowledged, so a queue
    that cannot be reached must not fail the caller: the texts stay unenriched until
    ``cxloop understand backfill`` (which finds exactly those) runs."""
    queue = installed()
    if queue is None:
        return
    for payload in batches(event, queue.settings.enrichment_batch):
        try:
            queue.enqueue(ENRICH.name, payload)
        except Exception:
            logger.exception("could not queue the enrichment of %d texts", len(payload.message_ids))


__all__ = [
    "ENRICH",
    "JOBS",
    "RETENTION",
    "EnrichPayload",
    "Job",
    "JobContext",
    "Queue",
    "install",
    "installed",
    "make_huey",
    "register",
]
