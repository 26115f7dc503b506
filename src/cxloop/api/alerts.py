"""``/api/v1/alerts`` and ``/api/v1/reports``: alert rules on metric series and scheduled
metric reports. Anyone who may read metrics may see them; changing them needs
``alerts.manage``, and every change is audited with its author."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cxloop.api.deps import AlertsManage, MetricsRead, SessionDep
from cxloop.insights import (
    AlertRuleCreate,
    AlertRuleRead,
    ReportCreate,
    ReportRead,
    change_report,
    change_rule,
    create_report,
    create_rule,
    get_report,
    get_rule,
    list_reports,
    list_rules,
    remove,
)

router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=list[AlertRuleRead])
def list_alert_rules(session: SessionDep, _principal: MetricsRead) -> list[AlertRuleRead]:
    """Every alert rule, by name."""
    return [AlertRuleRead.model_validate(r) for r in list_rules(session)]


@router.post("/alerts", response_model=AlertRuleRead, status_code=201)
def add_alert_rule(
    data: AlertRuleCreate, session: SessionDep, principal: AlertsManage
) -> AlertRuleRead:
    """A rule, checked every hour from now on."""
    return AlertRuleRead.model_validate(create_rule(session, data, actor=principal.user.email))


@router.get("/alerts/{rule_id}", response_model=AlertRuleRead)
def read_alert_rule(rule_id: int, session: SessionDep, _principal: MetricsRead) -> AlertRuleRead:
    return AlertRuleRead.model_validate(get_rule(session, rule_id))


@router.put("/alerts/{rule_id}", response_model=AlertRuleRead)
def replace_alert_rule(
    rule_id: int, data: AlertRuleCreate, session: SessionDep, principal: AlertsManage
) -> AlertRuleRead:
    """The rule restated whole (switch it off with ``active: false``)."""
    rule = change_rule(session, get_rule(session, rule_id), data)
    return AlertRuleRead.model_validate(rule)


@router.delete("/alerts/{rule_id}", status_code=204)
def remove_alert_rule(rule_id: int, session: SessionDep, principal: AlertsManage) -> Response:
    remove(session, get_rule(session, rule_id))
    return Response(status_code=204)


@router.get("/reports", response_model=list[ReportRead])
def list_metric_reports(session: SessionDep, _principal: MetricsRead) -> list[ReportRead]:
    """Every scheduled report, by name."""
    return [ReportRead.model_validate(r) for r in list_reports(session)]


@router.post("/reports", response_model=ReportRead, status_code=201)
def add_metric_report(
    data: ReportCreate, session: SessionDep, principal: AlertsManage
) -> ReportRead:
    """A daily or weekly digest, sent after each period ends."""
    return ReportRead.model_validate(create_report(session, data, actor=principal.user.email))


@router.get("/reports/{report_id}", response_model=ReportRead)
def read_metric_report(report_id: int, session: SessionDep, _principal: MetricsRead) -> ReportRead:
    return ReportRead.model_validate(get_report(session, report_id))


@router.put("/reports/{report_id}", response_model=ReportRead)
def replace_metric_report(
    report_id: int, data: ReportCreate, session: SessionDep, principal: AlertsManage
) -> ReportRead:
    report = get_report(session, report_id)
    return ReportRead.model_validate(change_report(session, report, data))


@router.delete("/reports/{report_id}", status_code=204)
def remove_metric_report(report_id: int, session: SessionDep, principal: AlertsManage) -> Response:
    remove(session, get_report(session, report_id))
    return Response(status_code=204)
