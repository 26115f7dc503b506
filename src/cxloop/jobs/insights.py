"""Alerts and reports on the worker's schedule: every hour the stored alert rules are
checked and the reports whose period has ended are sent. Both are idempotent (what went out
is recorded per rule, group, period and channel), so a retried or repeated run sends nothing
twice, and a run missed while the worker was down is made up by the next one. Every minute
the outbox tries again the messages whose first sending failed and whose wait is over."""

from __future__ import annotations

import logging

from pydantic import BaseModel

from cxloop.insights import retry_due, send_alerts, send_reports
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.types import utcnow

EVERY_MINUTES = 60
logger = logging.getLogger(__name__)


class SchedulePayload(BaseModel):
    """Nothing to say: the stored rules and reports say it all."""


def alerts(context: JobContext, _payload: SchedulePayload) -> None:
    sent = send_alerts(context.session, context.settings, utcnow())
    logger.info("insights.alerts: %d alert messages sent", sent)


def reports(context: JobContext, _payload: SchedulePayload) -> None:
    sent = send_reports(context.session, context.settings, utcnow())
    logger.info("insights.reports: %d reports sent", sent)


def deliveries(context: JobContext, _payload: SchedulePayload) -> None:
    done = retry_due(context.session.get_bind(), context.settings, utcnow())
    logger.info(
        "insights.deliveries: %d sent, %d to retry, %d failed, %d finished ones removed",
        done.sent, done.retrying, done.failed, done.pruned,
    )  # fmt: skip


ALERTS = register(Job("insights.alerts", SchedulePayload, alerts, every_minutes=EVERY_MINUTES))
REPORTS = register(Job("insights.reports", SchedulePayload, reports, every_minutes=EVERY_MINUTES))
DELIVERIES = register(
    Job("insights.deliveries", SchedulePayload, deliveries, every_minutes=1, retries=0)
)
