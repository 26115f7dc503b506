"""Saving alert rules and metric reports: checked against the catalogue and the users. Both are
configuration, so every change reaches the audit log through the flush hook (who, before,
after), like any other configuration change."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.insights.alert_models import MetricReport, StoredAlertRule
from cxloop.insights.alert_schemas import AlertRuleCreate, Recipients, ReportCreate
from cxloop.insights.catalogue import Metric, metric_named
from cxloop.insights.query import parse_query
from cxloop.store.crud import get_or_404

Stored = TypeVar("Stored", StoredAlertRule, MetricReport)


def _metric(name: str, field: str) -> Metric:
    try:
        return metric_named(name)
    except NotFound as exc:
        raise ValidationFailed(exc.detail, field=field) from exc


def _check_recipients(session: Session, data: Recipients, *, webhook: str | None = None) -> None:
    for user_id in data.user_ids:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise ValidationFailed(f"no active user has the id {user_id}", field="user_ids")
    if not data.user_ids and not data.addresses and not webhook:
        raise ValidationFailed(
            "nobody would hear of it: give users, addresses or a webhook", field="user_ids"
        )


def _check_rule(session: Session, data: AlertRuleCreate) -> None:
    parse_query(_metric(data.metric, "metric"), by=data.by, filters=data.filters)
    _check_recipients(session, data, webhook=data.webhook_url)


def _check_report(session: Session, data: ReportCreate) -> None:
    for name in data.metrics:
        _metric(name, "metrics")
    _check_recipients(session, data)


def _save(session: Session, row: Stored, data: AlertRuleCreate | ReportCreate) -> None:
    for field, value in data.model_dump(mode="json").items():
        setattr(row, field, value)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict(f"the name '{data.name}' is taken", field="name") from None


def create_rule(session: Session, data: AlertRuleCreate, *, actor: str) -> StoredAlertRule:
    _check_rule(session, data)
    rule = StoredAlertRule(created_by=actor)
    _save(session, rule, data)
    return rule


def change_rule(session: Session, rule: StoredAlertRule, data: AlertRuleCreate) -> StoredAlertRule:
    _check_rule(session, data)
    _save(session, rule, data)
    return rule


def create_report(session: Session, data: ReportCreate, *, actor: str) -> MetricReport:
    _check_report(session, data)
    report = MetricReport(created_by=actor)
    _save(session, report, data)
    return report


def change_report(session: Session, report: MetricReport, data: ReportCreate) -> MetricReport:
    _check_report(session, data)
    _save(session, report, data)
    return report


def remove(session: Session, row: StoredAlertRule | MetricReport) -> None:
    session.delete(row)
    session.flush()


def get_rule(session: Session, rule_id: int) -> StoredAlertRule:
    return get_or_404(session, StoredAlertRule, rule_id, what="alert rule")


def get_report(session: Session, report_id: int) -> MetricReport:
    return get_or_404(session, MetricReport, report_id, what="metric report")


def list_rules(session: Session) -> list[StoredAlertRule]:
    return list(session.scalars(select(StoredAlertRule).order_by(StoredAlertRule.name)))


def list_reports(session: Session) -> list[MetricReport]:
    return list(session.scalars(select(MetricReport).order_by(MetricReport.name)))
