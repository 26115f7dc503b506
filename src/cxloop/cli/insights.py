"""``cxloop metric``, ``cxloop alert check`` and ``cxloop export lake``: the metric catalogue
from a shell, a script or a scheduler.

Progress goes to stderr so ``--json`` keeps stdout to one object.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from cxloop.cli.output import cli_actor, command_session, emit_json, err, fail, progress
from cxloop.insights import (
    TABLES,
    AlertRule,
    AsOf,
    Value,
    describe,
    evaluate,
    measure,
    metric_named,
    metrics,
    parse_query,
    write_lake,
)
from cxloop.insights.alerts import Kind
from cxloop.privacy import record_export
from cxloop.settings import get_settings

metric_app = typer.Typer(help="The metric catalogue and metric values.", no_args_is_help=True)
alert_app = typer.Typer(help="Alert rules on metric series.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


@metric_app.command("list")
def list_metrics(as_json: JsonFlag = False) -> None:
    """Every metric's definition."""
    described = [describe(m).model_dump() for m in metrics()]
    if as_json:
        emit_json({"metrics": described})
        return
    for metric in described:
        err.print(f"[bold]{metric['name']}[/bold]  {metric['title']}: {metric['formula']}")


@metric_app.command("show")
def show_metric(
    name: str,
    by: Annotated[str, typer.Option(help="Dimensions, e.g. channel,week.")] = "",
    filter: Annotated[list[str] | None, typer.Option(help="dimension:value (repeatable).")] = None,
    start: Annotated[datetime | None, typer.Option("--from", help="Window start (UTC).")] = None,
    end: Annotated[datetime | None, typer.Option("--to", help="Window end (UTC).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """A metric over a window, grouped, with n, 95% intervals and the change."""
    with command_session(write=False) as session:
        query = parse_query(
            metric_named(name),
            by=by.split(","),
            filters=filter or [],
            start=cli_utc(start),
            end=cli_utc(end),
        )
        settings = get_settings()
        result = measure(session, query, min_n=settings.metrics_min_n, as_of=AsOf.of(settings))
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    for group in [result.total, *result.groups]:
        label = ", ".join(f"{k}={v}" for k, v in group.key.items()) or "total"
        typer.echo(f"{label}: n={group.current.n} {_shown(group.current)}")


def _shown(value: Value) -> str:
    if value.value is None:
        return "suppressed" if value.suppressed else "no data"
    if value.low is None or value.high is None:
        return f"{value.value:.1f}"
    return f"{value.value:.1f} (95% CI {value.low:.1f} to {value.high:.1f})"


@alert_app.command("check")
def check_alert(
    name: str,
    below: Annotated[float | None, typer.Option(help="Whole 95% CI below this.")] = None,
    above: Annotated[float | None, typer.Option(help="Whole 95% CI above this.")] = None,
    drop: Annotated[bool, typer.Option(help="Fire on a significant drop.")] = False,
    rise: Annotated[bool, typer.Option(help="Fire on a significant rise.")] = False,
    by: Annotated[str, typer.Option(help="Check each group, e.g. channel.")] = "",
    filter: Annotated[list[str] | None, typer.Option(help="dimension:value (repeatable).")] = None,
    days: Annotated[int, typer.Option(min=1, help="The last N days, against the N before.")] = 7,
    as_json: JsonFlag = False,
) -> None:
    """Which groups of a metric break the rule now (for a scheduler: cron, a job)."""
    kind, threshold = rule_kind(below, above, drop, rise)
    try:
        rule = AlertRule(metric=name, kind=kind, threshold=threshold)
    except ValidationError as exc:
        raise fail(str(exc.errors()[0]["msg"])) from exc
    end = datetime.now(UTC)
    with command_session(write=False) as session:
        query = parse_query(
            metric_named(name),
            by=by.split(","),
            filters=filter or [],
            start=end - timedelta(days=days),
            end=end,
        )
        settings = get_settings()
        result = measure(session, query, min_n=settings.metrics_min_n, as_of=AsOf.of(settings))
    alerts = evaluate(rule, result)
    if as_json:
        emit_json(
            {
                "alerts": [a.model_dump(mode="json") for a in alerts],
                "checked": len(result.groups) or 1,
            }
        )
        return
    for alert in alerts:
        typer.echo(f"{alert.message} — {alert.link}")
    if not alerts:
        err.print("no alert")


def rule_kind(
    below: float | None, above: float | None, drop: bool, rise: bool
) -> tuple[Kind, float | None]:
    """The one rule the options state: a kind and, for below/above, its threshold."""
    kinds: dict[Kind, float | bool | None] = {
        "below": below, "above": above, "drop": drop or None, "rise": rise or None,
    }  # fmt: skip
    chosen = [(kind, value) for kind, value in kinds.items() if value is not None]
    if len(chosen) != 1:
        raise fail("give exactly one of --below, --above, --drop, --rise")
    kind, value = chosen[0]
    return kind, float(value) if kind in ("below", "above") else None


def cli_utc(moment: datetime | None) -> datetime | None:
    """Typer parses ISO dates without a zone: command-line times are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def export_lake(
    directory: Annotated[Path, typer.Argument(help="Folder of the lake (tables replaced whole).")],
    as_json: JsonFlag = False,
) -> None:
    """Write the analytic tables as Parquet partitioned by month, for warehouses and Spark
    (audited, so that erasures reach it)."""
    with command_session() as session, progress("lake", len(TABLES)) as advance:
        report = write_lake(session, directory, advance=advance, as_of=AsOf.of(get_settings()))
        record_export(
            session, actor=cli_actor(), what="lake", path=directory, rows=sum(report.rows.values())
        )
    if as_json:
        emit_json({"directory": str(report.directory), "rows": report.rows, "files": report.files})
    else:
        err.print(f"wrote {sum(report.rows.values())} rows in {report.files} files to {directory}")
