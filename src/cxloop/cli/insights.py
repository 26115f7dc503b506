"""``cxloop metric`` and ``cxloop export lake``: the metric catalogue from a shell or a script.

Progress goes to stderr so ``--json`` keeps stdout to one object.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cxloop.cli.output import command_session, emit_json, err, progress
from cxloop.insights import (
    TABLES,
    describe,
    measure,
    metric_named,
    metrics,
    parse_query,
    write_lake,
)
from cxloop.settings import get_settings

metric_app = typer.Typer(help="The metric catalogue and metric values.", no_args_is_help=True)
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
            start=_utc(start),
            end=_utc(end),
        )
        result = measure(session, query, min_n=get_settings().metrics_min_n)
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    for group in [result.total, *result.groups]:
        label = ", ".join(f"{k}={v}" for k, v in group.key.items()) or "total"
        value = group.current
        shown = (
            "suppressed"
            if value.value is None
            else f"{value.value:.1f} [{value.low}, {value.high}]"
        )
        typer.echo(f"{label}: n={value.n} {shown}")


def _utc(moment: datetime | None) -> datetime | None:
    """Typer parses ISO dates without a zone: command-line times are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def export_lake(
    directory: Annotated[Path, typer.Argument(help="Folder of the lake (tables replaced whole).")],
    as_json: JsonFlag = False,
) -> None:
    """Write the analytic tables as Parquet partitioned by month, for warehouses and Spark."""
    with command_session(write=False) as session, progress("lake", len(TABLES)) as advance:
        report = write_lake(session, directory, advance=advance)
    if as_json:
        emit_json({"directory": str(report.directory), "rows": report.rows, "files": report.files})
    else:
        err.print(f"wrote {sum(report.rows.values())} rows in {report.files} files to {directory}")
