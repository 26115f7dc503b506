"""``cxloop model``: train, evaluate, deploy and rebuild the heads behind understanding, and
the churn model of proactive (``--task churn``, scored with ``cxloop model score``).

Figures are printed as one JSON object with ``--json`` (scripts and CI read them), as a short
table otherwise. Errors name the row and the column of the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from cxloop.cli import churn
from cxloop.cli.deployments import audited_deployment
from cxloop.cli.output import emit_json, err, fail
from cxloop.errors import CxloopError
from cxloop.proactive import DETRACTION, deployed_dir, is_churn_model
from cxloop.settings import get_settings
from cxloop.understanding.analyser import BUILTIN_HEADS, HEAD_NAMES
from cxloop.understanding.encoder import load_encoder
from cxloop.understanding.heads import replace_directory, save_head
from cxloop.understanding.training.builtin import BUILTINS, build_builtin
from cxloop.understanding.training.tasks import (
    TASKS,
    EvalOptions,
    TrainOptions,
    resolve_model,
    task_of,
)

model_app = typer.Typer(
    help="Train, evaluate and deploy understanding models and churn models.",
    no_args_is_help=True,
)
TASK_NAMES = [*TASKS, churn.TASK, DETRACTION]

DataOpt = Annotated[
    Path | None,
    typer.Option(help="CSV, JSONL, Parquet or XLSX file with labelled rows.", dir_okay=False),
]
TextCol = Annotated[str | None, typer.Option(help="Column holding the text (text tasks).")]
LabelCol = Annotated[str | None, typer.Option(help="Column holding the label (your own strings).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _show(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
        return
    err.print(f"n={report['n']}  accuracy={report['accuracy']}  macro_f1={report['macro_f1']}")
    if report.get("method"):
        err.print(f"({report['method']})")
    for label, figures in report.get("per_class", {}).items():
        err.print(f"  {label:<30} f1={figures['f1']:.3f}  support={figures['support']}")


@model_app.command("train")
def train(
    task: Annotated[str, typer.Option(help=f"One of: {', '.join(TASK_NAMES)}.")],
    data: DataOpt = None,
    label_col: LabelCol = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Directory to write the model to (churn from the timeline: the deployed "
            "risk model under the model directory).",
            file_okay=False,
        ),
    ] = None,
    text_col: TextCol = None,
    shots: Annotated[
        int | None, typer.Option(help="Train on this many examples per label (few-shot).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for sampling and folds.")] = 0,
    id_col: Annotated[
        str | None, typer.Option(help="Column identifying the customer (churn; not a feature).")
    ] = None,
    positive: Annotated[
        str | None,
        typer.Option(help="Label value meaning the customer left (churn; default: yes/1/true)."),
    ] = None,
    from_timeline: Annotated[
        bool,
        typer.Option(
            "--from-timeline",
            help="Churn: learn from the customers' own timelines in the database, not a file.",
        ),
    ] = False,
    label_trait: Annotated[
        str | None, typer.Option(help="Churn from the timeline: the trait saying who left.")
    ] = None,
    label_stage: Annotated[
        str | None,
        typer.Option(help="Churn from the timeline: customers who reached this stage left."),
    ] = None,
    trait: Annotated[
        list[str],
        typer.Option(help="Churn from the timeline: a trait to learn from (repeatable)."),
    ] = [],  # noqa: B006
    score_now: Annotated[
        bool,
        typer.Option(
            "--score",
            help="Churn from the timeline: score every customer now, not at the nightly run.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Train a model on a labelled file (or, for churn, the timelines) and print its
    cross-validated figures."""
    if task not in TASK_NAMES:
        raise fail(f"--task must be one of {', '.join(TASK_NAMES)}, not '{task}'")
    if from_timeline or task == DETRACTION:
        if task not in (churn.TASK, DETRACTION):
            raise fail("--from-timeline is for --task churn or --task detraction")
        try:
            report = churn.train_from_timeline(
                task=task,
                label_trait=label_trait,
                label_stage=label_stage,
                positive=positive,
                traits=trait,
                out=out,
                seed=seed,
                score_now=score_now,
            )
        except CxloopError as exc:
            raise fail(exc.detail) from exc
        churn.show(report, as_json)
        return
    if data is None or label_col is None or out is None:
        raise fail("--data, --label-col and --out are needed (or --from-timeline for churn)")
    if task == churn.TASK:
        try:
            report = churn.train(
                data=data,
                label_col=label_col,
                id_col=id_col,
                positive=positive,
                out=out,
                seed=seed,
                shots=shots,
            )
        except CxloopError as exc:
            raise fail(exc.detail) from exc
        churn.show(report, as_json)
        return
    settings = get_settings()
    options = TrainOptions(
        data=data,
        label_col=label_col,
        text_col=text_col,
        out=out,
        shots=shots,
        seed=seed,
        model_dir=settings.resolved_model_dir,
        cache_dir=settings.resolved_cache_dir,
    )
    try:
        report = TASKS[task].train(task, options)
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    _show(report, as_json)


@model_app.command("eval")
def evaluate(
    model: Annotated[
        str | None,
        typer.Option(
            help="A model directory, or builtin:sentiment / builtin:emotion "
            "(with --from-timeline: the deployed risk model unless told)."
        ),
    ] = None,
    data: DataOpt = None,
    label_col: LabelCol = None,
    text_col: TextCol = None,
    from_timeline: Annotated[
        bool,
        typer.Option(
            "--from-timeline",
            help="Churn: measure a model trained from the timeline on who left since then.",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Measure a model on a labelled file it was not trained on (or, for a churn model trained
    from the timeline, on what happened since it was trained)."""
    settings = get_settings()
    try:
        if from_timeline:
            path = Path(model) if model else deployed_dir(settings.resolved_model_dir)
            churn.show(churn.evaluate_from_timeline(path), as_json)
            return
        if model is None or data is None or label_col is None:
            raise fail("--model, --data and --label-col are needed (or --from-timeline for churn)")
        path = resolve_model(model)
        if is_churn_model(path):
            churn.show(churn.evaluate(path, data=data, label_col=label_col), as_json)
            return
        options = EvalOptions(
            model=path,
            data=data,
            label_col=label_col,
            text_col=text_col,
            model_dir=settings.resolved_model_dir,
            cache_dir=settings.resolved_cache_dir,
        )
        report = TASKS[task_of(path)].evaluate(options)
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    _show(report, as_json)


@model_app.command("score")
def score(
    model: Annotated[Path, typer.Option(help="A churn model directory.", file_okay=False)],
    data: Annotated[
        Path, typer.Option(help="CSV, JSONL, Parquet or XLSX file of customers.", dir_okay=False)
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the scores to this file (format from the extension).", dir_okay=False
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Reasons per customer.", min=0)] = 3,
    as_json: JsonOpt = False,
) -> None:
    """Score customers with a churn model: each one's risk with its top reasons in words."""
    try:
        report = churn.score(model, data=data, out=out, top=top)
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    if as_json:
        emit_json(report)
    elif "out" in report:
        err.print(f"scored {report['n']} customers into {report['out']}")
    else:
        for row in report["scores"]:
            reasons = "; ".join(r["text"] for r in row["reasons"]) or "-"
            err.print(f"{row['id'] or row['row']}  {row['risk']:.3f}  {reasons}")


@model_app.command("use")
def use(
    model: Annotated[Path, typer.Argument(help="A directory written by 'cxloop model train'.")],
    name: Annotated[str, typer.Option("--as", help="sentiment, emotion, intent or topic.")],
    as_json: JsonOpt = False,
) -> None:
    """Deploy a trained model: enrichment uses it from the next start of a worker or server."""
    if is_churn_model(model):
        raise fail(f"'{model}' is a churn model; score customers with 'cxloop model score'")
    if name not in HEAD_NAMES:
        raise fail(f"--as must be one of {', '.join(HEAD_NAMES)}, not '{name}'")
    try:
        task = task_of(model)
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    target = get_settings().resolved_model_dir / "heads" / name
    with audited_deployment(name, task=task, source=model.resolve(), target=target):
        replace_directory(target, lambda staging: shutil.copytree(model, staging))
    if as_json:
        emit_json({"deployed": name, "path": str(target)})
    else:
        err.print(f"deployed {model} as {name}; run 'cxloop understand backfill' to re-enrich")


@model_app.command("builtin")
def builtin(
    datasets: Annotated[
        Path, typer.Option(help="The public data sets folder.", file_okay=False, exists=True)
    ] = Path("../shared/datasets"),
    out: Annotated[
        Path, typer.Option(help="Where to write the heads.", file_okay=False)
    ] = BUILTIN_HEADS,
    only: Annotated[list[str], typer.Option(help="Rebuild only these heads.")] = [],  # noqa: B006
    version: Annotated[int, typer.Option(help="Version number written on the cards.")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild the shipped sentiment and emotion heads from the sets licensed for shipping."""
    settings = get_settings()
    encoder = load_encoder(settings.resolved_model_dir)
    reports: dict[str, Any] = {}
    for name in only or list(BUILTINS):
        if name not in BUILTINS:
            raise fail(f"no built-in head '{name}' (known: {', '.join(BUILTINS)})")
        err.print(f"training {name}…")
        head, report = build_builtin(
            name,
            datasets=datasets,
            encoder=encoder,
            cache_dir=settings.resolved_cache_dir,
            version=f"{name}-{version}",
        )
        save_head(head, out / name)
        reports[name] = {k: report[k] for k in ("n", "accuracy", "macro_f1", "method")}
    if as_json:
        emit_json(reports)
    else:
        for name, report in reports.items():
            err.print(f"{name}: accuracy {report['accuracy']}, macro F1 {report['macro_f1']}")
