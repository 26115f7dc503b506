"""Checking stored alert rules on a schedule and telling their recipients.

A rule looks at the last ``days`` full UTC days against the ``days`` before, so every run
within one day sees the same window and names the same period: an alert for a rule, group
and period goes out once however often the scheduler runs, and again only when a new day
shows the rule still broken.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import CxloopError
from cxloop.insights.alert_models import StoredAlertRule
from cxloop.insights.alerts import Alert, AlertRule, evaluate
from cxloop.insights.case_facts import AsOf
from cxloop.insights.catalogue import metric_named
from cxloop.insights.dispatch import (
    Outgoing,
    chat_message,
    email_message,
    once,
    recipients,
    signed_message,
)
from cxloop.insights.query import MetricQuery, parse_query
from cxloop.insights.service import measure_all
from cxloop.outreach import Notice
from cxloop.settings import Settings

EVENT_TYPE = "metric.alert"
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    @property
    def period(self) -> str:
        return f"{self.start.date().isoformat()}/{self.end.date().isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        """The days covered, as people say them: the end is exclusive, the last day is not."""
        last = self.end - timedelta(days=1)
        if self.days == 1:
            return f"{last:%d %b %Y}"
        return f"{self.start:%d %b} to {last:%d %b %Y}"


def alert_window(now: datetime, days: int) -> Window:
    end = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    return Window(end - timedelta(days=days), end)


def check_rules(
    session: Session, rules: list[StoredAlertRule], settings: Settings, now: datetime
) -> list[tuple[StoredAlertRule, Window, list[Alert]]]:
    """Each rule with its window and the alerts it fires now (all measured in one engine)."""
    checked: list[tuple[StoredAlertRule, Window, MetricQuery]] = []
    for rule in rules:
        window = alert_window(now, rule.days)
        try:
            metric = metric_named(rule.metric)
            query = parse_query(
                metric, by=rule.by, filters=rule.filters, start=window.start, end=window.end
            )
        except CxloopError as exc:  # a metric of the user's own was removed since
            logger.warning("alert rule %s is skipped: %s", rule.name, exc.detail)
            continue
        checked.append((rule, window, query))
    results = measure_all(
        session,
        [query for _, _, query in checked],
        min_n=settings.metrics_min_n,
        as_of=AsOf.of(settings, now),
    )
    return [
        (rule, window, evaluate(_rule(rule), result))
        for (rule, window, _), result in zip(checked, results, strict=True)
    ]


def _rule(rule: StoredAlertRule) -> AlertRule:
    return AlertRule(metric=rule.metric, kind=rule.kind, threshold=rule.threshold)


def group_key(alert: Alert) -> str:
    return orjson.dumps(alert.key, option=orjson.OPT_SORT_KEYS).decode()


def notice(rule: StoredAlertRule, window: Window, alert: Alert, settings: Settings) -> Notice:
    """Aggregates only: the value, its interval and n, never who answered."""
    return Notice(
        title=f"Alert: {rule.name}",
        lines=[alert.message, f"Period: {window.label} (UTC)"],
        link=settings.public_url.rstrip("/") + alert.link,
    )


def _webhook(rule: StoredAlertRule, window: Window, alert: Alert, said: Notice) -> Outgoing:
    assert rule.webhook_url is not None
    if rule.webhook_format == "chat":
        return chat_message(rule.webhook_url, said)
    digest = hashlib.sha256(f"{rule.id}|{group_key(alert)}|{window.period}".encode()).hexdigest()
    data = {"rule": rule.name, "rule_id": rule.id, **alert.model_dump(mode="json")}
    data["link"] = said.link
    return signed_message(
        rule.webhook_url, said.title, f"msg_alert_{digest[:32]}", EVENT_TYPE, data
    )


def send_alerts(session: Session, settings: Settings, now: datetime) -> int:
    """Check every active rule and send what fires and was not sent; return messages sent."""
    rules = list(session.scalars(select(StoredAlertRule).where(StoredAlertRule.active.is_(True))))
    total = 0
    for rule, window, alerts in check_rules(session, rules, settings, now):
        to = recipients(session, rule.user_ids, rule.addresses)
        for alert in alerts:
            said = notice(rule, window, alert, settings)
            channels: dict[str, Outgoing] = {}
            if to:
                channels["email"] = email_message(said, to)
            if rule.webhook_url:
                channels["webhook"] = _webhook(rule, window, alert, said)
            total += len(
                once(
                    session, subject="alert", owner_id=rule.id, group_key=group_key(alert),
                    period=window.period, channels=channels, settings=settings, now=now,
                )
            )  # fmt: skip
    return total
