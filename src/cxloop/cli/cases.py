"""``cxloop cases``: train the learned router on past cases (or on another help desk's
export) and measure the deployed one on labelled texts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cxloop.cases import (
    evaluate_router,
    load_router,
    past_assignments,
    router_dir,
    train_router,
)
from cxloop.cli.deployments import audited_deployment
from cxloop.cli.output import command_session, emit_json, err, fail
from cxloop.errors import CxloopError
from cxloop.settings import get_settings
from cxloop.understanding import Labelled, load_encoder, read_labelled

cases_app = typer.Typer(help="Cases: the learned router.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
TextCol = Annotated[str | None, typer.Option(help="Column holding the customer's text.")]
LabelCol = Annotated[str | None, typer.Option(help="Column holding the department slug.")]


def _labelled(data: Path, text_col: str | None, label_col: str | None) -> Labelled:
    if not text_col or not label_col:
        raise fail("--data needs --text-col and --label-col")
    try:
        return read_labelled(data, text_col=text_col, label_col=label_col)
    except CxloopError as exc:
        raise fail(exc.detail) from exc


def _show(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
        return
    err.print(f"n={report['n']}  accuracy={report['accuracy']}  macro_f1={report['macro_f1']}")
    if report.get("method"):
        err.print(f"({report['method']})")
    for row in report["thresholds"]:
        mark = "*" if row["threshold"] == report["at_threshold"]["threshold"] else " "
        accuracy = row["accuracy_routed"]
        err.print(
            f" {mark} threshold {row['threshold']:.2f}: {row['routed']:.0%} placed"
            f" (accuracy {'-' if accuracy is None else f'{accuracy:.3f}'}),"
            f" {row['triage']:.0%} to triage"
        )
    for slug, n in report.get("left_out", {}).items():
        err.print(f"left out: {slug} ({n} cases, too few to learn)")
    for slug, n in report.get("unknown_departments", {}).items():
        err.print(f"unknown to the router: {slug} ({n} rows, counted as misses)")


@cases_app.command("router-train")
def router_train(
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Train on this labelled file (CSV, JSONL, Parquet, XLSX) instead of past cases.",
            dir_okay=False,
        ),
    ] = None,
    text_col: TextCol = None,
    label_col: LabelCol = None,
    as_json: JsonOpt = False,
) -> None:
    """Train the router on past case assignments and deploy it; print its figures."""
    settings = get_settings()
    if data is not None:
        examples, source = _labelled(data, text_col, label_col), data.name
    elif text_col or label_col:
        raise fail("--text-col and --label-col go with --data")
    else:
        err.print("reading past cases…")
        with command_session(write=False) as session:
            examples, source = past_assignments(session), "database"
    target = router_dir(settings.resolved_model_dir)
    try:
        with audited_deployment("router", task="router", source=source, target=target):
            report = train_router(
                examples,
                encoder=load_encoder(settings.resolved_model_dir),
                model_dir=settings.resolved_model_dir,
                cache_dir=settings.resolved_cache_dir,
                threshold=settings.routing_threshold,
                source=source,
                folds=folds,
                say=err.print,
            )
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    _show(report, as_json)
    if not as_json:
        err.print(f"deployed to {report['model']}; new cases use it from the next batch")


@cases_app.command("router-eval")
def router_eval(
    data: Annotated[
        Path, typer.Option(help="CSV, JSONL, Parquet or XLSX file of texts and departments.")
    ],
    text_col: Annotated[str, typer.Option(help="Column holding the customer's text.")],
    label_col: Annotated[str, typer.Option(help="Column holding the department slug.")],
    as_json: JsonOpt = False,
) -> None:
    """Measure the deployed router on a labelled file it was not trained on."""
    settings = get_settings()
    examples = _labelled(data, text_col, label_col)
    router = load_router(settings.resolved_model_dir, settings.resolved_cache_dir)
    if router is None:
        raise fail("no router is deployed yet; train one with 'cxloop cases router-train'")
    try:
        report = evaluate_router(router, examples, threshold=settings.routing_threshold)
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    _show(report, as_json)
