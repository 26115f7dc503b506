"""``cxloop alert add|list|remove|run`` and ``cxloop report add|list|remove``: the stored
alert rules and scheduled reports the worker sends, from a shell (the same checks and audit
as the API and the alerts page). ``cxloop metric export`` writes any metric table as a file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast, get_args

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cli.insights import JsonFlag, alert_app, cli_utc, metric_app, rule_kind
from cxloop.cli.output import cli_actor, command_session, emit_json, err, fail
from cxloop.insights import (
    AlertRuleCreate,
    AlertRuleRead,
    AsOf,
    ReportCreate,
    ReportRead,
    create_report,
    create_rule,
    get_report,
    get_rule,
    list_reports,
    list_rules,
    measure,
    metric_named,
    parse_query,
    remove,
    send_alerts,
    send_reports,
    write_result,
)
from cxloop.settings import get_settings
from cxloop.store.tabular import Format
from cxloop.types import utcnow

FORMATS = get_args(Format)
report_app = typer.Typer(help="Scheduled email reports of metrics.", no_args_is_help=True)
To = Annotated[list[str] | None, typer.Option("--to", help="An address to send to (repeatable).")]
UserOpt = Annotated[
    list[str] | None, typer.Option("--user", help="A user's email to send to (repeatable).")
]


def _user_ids(session: Session, emails: list[str]) -> list[int]:
    ids = []
    for email in emails:
        user_id = session.scalar(select(User.id).where(User.email == email.lower()))
        if user_id is None:
            raise fail(f"--user {email}: no user has this email (see 'cxloop user create')")
        ids.append(user_id)
    return ids


def _checked(schema: type[AlertRuleCreate] | type[ReportCreate], data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "rule"
        raise fail(f"{where}: {first['msg'].removeprefix('Value error, ')}") from exc


@alert_app.command("add")
def add_alert(
    name: str,
    metric: Annotated[str, typer.Option(help="The metric watched, e.g. nps.")],
    below: Annotated[float | None, typer.Option(help="Whole 95% CI below this.")] = None,
    above: Annotated[float | None, typer.Option(help="Whole 95% CI above this.")] = None,
    drop: Annotated[bool, typer.Option(help="Fire on a significant drop.")] = False,
    rise: Annotated[bool, typer.Option(help="Fire on a significant rise.")] = False,
    by: Annotated[str, typer.Option(help="Check each group, e.g. channel.")] = "",
    filter: Annotated[list[str] | None, typer.Option(help="dimension:value (repeatable).")] = None,
    days: Annotated[int, typer.Option(help="The last N full days, against the N before.")] = 7,
    to: To = None,
    user: UserOpt = None,
    webhook: Annotated[str | None, typer.Option(help="Incoming webhook URL.")] = None,
    webhook_format: Annotated[
        str, typer.Option(help="chat (Slack/Teams) or standard (signed).")
    ] = "chat",
    as_json: JsonFlag = False,
) -> None:
    """Store a rule the worker checks every hour, telling the recipients once per period."""
    kind, threshold = rule_kind(below, above, drop, rise)
    with command_session() as session:
        data = _checked(
            AlertRuleCreate,
            {
                "name": name, "metric": metric, "kind": kind, "threshold": threshold,
                "by": [b for b in by.split(",") if b], "filters": filter or [], "days": days,
                "addresses": to or [], "user_ids": _user_ids(session, user or []),
                "webhook_url": webhook, "webhook_format": webhook_format,
            },
        )  # fmt: skip
        rule = AlertRuleRead.model_validate(create_rule(session, data, actor=cli_actor()))
    if as_json:
        emit_json(rule.model_dump(mode="json"))
    else:
        err.print(f"alert rule {rule.id} '{rule.name}' saved")


@alert_app.command("list")
def list_alerts(as_json: JsonFlag = False) -> None:
    """The stored rules."""
    with command_session(write=False) as session:
        rules = [AlertRuleRead.model_validate(r) for r in list_rules(session)]
    if as_json:
        emit_json({"alerts": [r.model_dump(mode="json") for r in rules]})
        return
    for r in rules:
        what = f"{r.kind} {r.threshold:g}" if r.threshold is not None else r.kind
        state = "" if r.active else " (off)"
        typer.echo(f"{r.id}  {r.name}: {r.metric} {what} over {r.days} days{state}")


@alert_app.command("remove")
def remove_alert(rule_id: int) -> None:
    """Delete a rule (audited)."""
    with command_session() as session:
        remove(session, get_rule(session, rule_id))
    err.print(f"alert rule {rule_id} removed")


@alert_app.command("run")
def run_alerts(as_json: JsonFlag = False) -> None:
    """Check every rule and send due reports now, as the worker does each hour (nothing is
    sent twice for one period)."""
    settings = get_settings()
    with command_session() as session:
        now = utcnow()
        alerts, reports = send_alerts(session, settings, now), send_reports(session, settings, now)
    if as_json:
        emit_json({"alerts_sent": alerts, "reports_sent": reports})
    else:
        err.print(f"{alerts} alert messages and {reports} reports sent")


@report_app.command("add")
def add_report(
    name: str,
    metric: Annotated[list[str], typer.Option(help="A metric in the digest (repeatable).")],
    frequency: Annotated[str, typer.Option(help="daily or weekly.")] = "weekly",
    to: To = None,
    user: UserOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Store a digest sent after each day or week (Monday to Sunday, UTC)."""
    with command_session() as session:
        data = _checked(
            ReportCreate,
            {
                "name": name, "metrics": metric, "frequency": frequency, "addresses": to or [],
                "user_ids": _user_ids(session, user or []),
            },
        )  # fmt: skip
        report = ReportRead.model_validate(create_report(session, data, actor=cli_actor()))
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        err.print(f"report {report.id} '{report.name}' saved")


@report_app.command("list")
def list_metric_reports(as_json: JsonFlag = False) -> None:
    """The stored reports."""
    with command_session(write=False) as session:
        reports = [ReportRead.model_validate(r) for r in list_reports(session)]
    if as_json:
        emit_json({"reports": [r.model_dump(mode="json") for r in reports]})
        return
    for r in reports:
        typer.echo(f"{r.id}  {r.name}: {r.frequency}, {', '.join(r.metrics)}")


@report_app.command("remove")
def remove_report(report_id: int) -> None:
    """Delete a report (audited)."""
    with command_session() as session:
        remove(session, get_report(session, report_id))
    err.print(f"report {report_id} removed")


@metric_app.command("export")
def export_metric(
    name: str,
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, jsonl, parquet or xlsx.")] = "csv",
    by: Annotated[str, typer.Option(help="Dimensions, e.g. channel,week.")] = "",
    filter: Annotated[list[str] | None, typer.Option(help="dimension:value (repeatable).")] = None,
    start: Annotated[datetime | None, typer.Option("--from", help="Window start (UTC).")] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="Window end (UTC).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The metric table (total, then one row per group, with n, intervals and changes) as
    a file, the numbers a dashboard chart shows."""
    if fmt not in FORMATS:
        raise fail(f"--format {fmt}: use one of {', '.join(FORMATS)}")
    settings = get_settings()
    with command_session(write=False) as session:
        query = parse_query(
            metric_named(name),
            by=by.split(","),
            filters=filter or [],
            start=cli_utc(start),
            end=cli_utc(end),
        )
        result = measure(session, query, min_n=settings.metrics_min_n, as_of=AsOf.of(settings))
    rows = write_result(result, out, cast(Format, fmt))
    if as_json:
        emit_json({"file": str(out), "format": fmt, "rows": rows})
    else:
        err.print(f"wrote {rows} rows to {out}")
