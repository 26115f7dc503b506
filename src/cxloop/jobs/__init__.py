"""Background jobs: one registry, one queue (huey on SQLite or Redis), and the bus
subscriptions that turn committed domain events into jobs.

Domains never import this package; it listens to them.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel

from cxloop import bus
from cxloop.cases import CaseChanged, CaseSetupChanged, MessagesQueued
from cxloop.interactions import InteractionsRecorded
from cxloop.jobs.cases import (
    FOLLOW_UP,
    FOLLOWUP_ANSWER,
    OPEN_CASES,
    SLA_TIMERS,
    SURVEY_DISPATCH,
    CasePayload,
    OpenPayload,
    ResponsePayload,
    RuleWatch,
)
from cxloop.jobs.cases import MAX_BATCH as MAX_CASE_BATCH
from cxloop.jobs.delivery import DELIVER, DeliverPayload
from cxloop.jobs.delivery import MAX_BATCH as MAX_DELIVERY_BATCH
from cxloop.jobs.enrichment import ENRICH, EnrichPayload, batches
from cxloop.jobs.insights import ALERTS, REPORTS
from cxloop.jobs.notifications import NOTIFY, notifications
from cxloop.jobs.proactive import SCORE as PROACTIVE_SCORE
from cxloop.jobs.queue import Queue, make_huey
from cxloop.jobs.registry import JOBS, Job, JobContext, register
from cxloop.jobs.retention import RETENTION
from cxloop.surveys import ResponseCompleted
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
    bus.subscribe(CaseChanged, _on_case_changed)
    bus.subscribe(ResponseCompleted, _on_response_completed)
    bus.subscribe(MessagesQueued, _on_messages_queued)
    bus.subscribe(CaseChanged, _on_case_news)
    return queue


def uninstall(queue: Queue) -> None:
    """Stop sending events to ``queue`` (its app shut down); another app's queue stays."""
    if _installed and _installed[0] is queue:
        _installed.clear()


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


def _on_case_changed(event: CaseChanged) -> None:
    queue = installed()
    if queue is not None and event.kind == "status":
        _enqueue(queue, FOLLOW_UP.name, CasePayload(case_id=event.case_id))


def _on_response_completed(event: ResponseCompleted) -> None:
    """A survey answer may be the answer to a case follow-up."""
    queue = installed()
    if queue is not None:
        _enqueue(queue, FOLLOWUP_ANSWER.name, ResponsePayload(response_id=event.response_id))


def _on_messages_queued(event: MessagesQueued) -> None:
    """Deliver agents' answers. Without a queue (a script, a test), they stay queued for the
    next run of ``cases.deliver`` that names them."""
    queue = installed()
    if queue is None:
        return
    ids = list(event.message_ids)
    for start in range(0, len(ids), MAX_DELIVERY_BATCH):
        payload = DeliverPayload(message_ids=ids[start : start + MAX_DELIVERY_BATCH])
        _enqueue(queue, DELIVER.name, payload)


def _on_case_news(event: CaseChanged) -> None:
    """Tell people about assignments, deadlines and escalations."""
    queue = installed()
    if queue is None:
        return
    for payload in notifications(event.case_id, event.kind):
        _enqueue(queue, NOTIFY.name, payload)


def _enqueue(queue: Queue, name: str, payload: BaseModel) -> None:
    """What was committed stays committed when the queue cannot be reached: the failure is
    logged, and the backfill commands find the work left undone."""
    try:
        queue.enqueue(name, payload)
    except Exception:
        logger.exception("could not queue %s", name)


__all__ = [
    "ALERTS",
    "DELIVER",
    "ENRICH",
    "JOBS",
    "NOTIFY",
    "OPEN_CASES",
    "PROACTIVE_SCORE",
    "REPORTS",
    "RETENTION",
    "SLA_TIMERS",
    "SURVEY_DISPATCH",
    "EnrichPayload",
    "Job",
    "JobContext",
    "Queue",
    "install",
    "installed",
    "make_huey",
    "register",
    "uninstall",
]
