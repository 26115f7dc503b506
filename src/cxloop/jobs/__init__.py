"""Background jobs: one registry, one queue (huey on SQLite or Redis), and the bus
subscriptions that turn committed domain events into jobs.

Domains never import this package; it listens to them.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from cxloop import bus
from cxloop.cases import CaseSetupChanged
from cxloop.interactions import InteractionsRecorded
from cxloop.jobs.cases import MAX_BATCH as MAX_CASE_BATCH
from cxloop.jobs.cases import OPEN_CASES, SLA_TIMERS, OpenPayload, RuleWatch
from cxloop.jobs.enrichment import ENRICH, EnrichPayload, batches
from cxloop.jobs.queue import Queue, make_huey
from cxloop.jobs.registry import JOBS, Job, JobContext, register
from cxloop.jobs.retention import RETENTION
from cxloop.understanding import InteractionsEnriched

_installed: list[Queue] = []
_case_rules = RuleWatch()
logger = logging.getLogger(__name__)


def install(queue: Queue) -> Queue:
    """Make ``queue`` the one committed events are sent to in this process."""
    _installed[:] = [queue]
    bus.subscribe(InteractionsRecorded, _on_interactions_recorded)
    bus.subscribe(InteractionsEnriched, _on_interactions_enriched)
    bus.subscribe(CaseSetupChanged, _case_rules.forget)
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
        _enqueue(queue, ENRICH.name, payload)
    without_text = sorted(set(event.message_ids) - set(event.with_text))
    if without_text and _case_rules.active(queue.bind):
        for start in range(0, len(without_text), MAX_CASE_BATCH):
            chunk = without_text[start : start + MAX_CASE_BATCH]
            _enqueue(queue, OPEN_CASES.name, OpenPayload(message_ids=chunk))


def _on_interactions_enriched(event: InteractionsEnriched) -> None:
    """Hold what was just understood against the case-opening rules."""
    queue = installed()
    if queue is None:
        return
    ids = list(event.interaction_ids)
    for start in range(0, len(ids), MAX_CASE_BATCH):
        payload = OpenPayload(interaction_ids=ids[start : start + MAX_CASE_BATCH])
        _enqueue(queue, OPEN_CASES.name, payload)


def _enqueue(queue: Queue, name: str, payload: BaseModel) -> None:
    """What was committed stays committed when the queue cannot be reached: the failure is
    logged, and the backfill commands find the work left undone."""
    try:
        queue.enqueue(name, payload)
    except Exception:
        logger.exception("could not queue %s", name)


__all__ = [
    "ENRICH",
    "JOBS",
    "OPEN_CASES",
    "RETENTION",
    "SLA_TIMERS",
    "EnrichPayload",
    "Job",
    "JobContext",
    "Queue",
    "install",
    "installed",
    "make_huey",
    "register",
]
