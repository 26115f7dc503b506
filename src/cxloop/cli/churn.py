"""The churn and detraction tasks behind ``cxloop model train/eval/score``: tabular features,
not texts.

Understanding's text tasks cannot know about proactive (it ranks below), so the command
line is where the two meet: these functions take the commands' options and call proactive.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from cxloop.cli.deployments import audited_deployment
from cxloop.cli.output import emit_json, err
from cxloop.errors import ValidationFailed
from cxloop.proactive import (
    DETRACTION,
    LabelSource,
    deployed_dir,
    evaluate_churn,
    evaluate_on_timeline,
    load_model,
    record_evaluation,
    save_model,
    score_churn,
    score_everyone,
    train_churn,
    train_detraction,
    write_scores,
)
from cxloop.proactive import train_from_timeline as train_on_timelines
from cxloop.settings import get_settings
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work

TASK = "churn"


def train(
    *,
    data: Path,
    label_col: str,
    id_col: str | None,
    positive: str | None,
    out: Path,
    seed: int,
    shots: int | None,
) -> dict[str, Any]:
    if shots is not None:
        raise ValidationFailed("--shots is for text tasks, not churn", field="shots")
    model = train_churn(data, label_col=label_col, id_col=id_col, positive=positive, seed=seed)
    save_model(model, out)
    return {"task": TASK, "model": str(out), **model.card["cross_validation"]}


def train_from_timeline(
    *,
    task: str = TASK,
    label_trait: str | None,
    label_stage: str | None,
    positive: str | None,
    traits: list[str],
    out: Path | None,
    seed: int,
    score_now: bool,
) -> dict[str, Any]:
    """The company's own history in the database; saved, unless told otherwise, as the
    deployed risk model of ``task`` (churn, detraction) the nightly scoring uses
    (``score_now``: and every customer scored now rather than tonight)."""
    if task == DETRACTION and (label_trait or label_stage or positive):
        raise ValidationFailed(
            "detraction is labelled by each customer's latest NPS answer (0-6); "
            "--label-trait, --label-stage and --positive are for churn",
            field="label_trait",
        )
    settings = get_settings()
    url = settings.resolved_database_url
    upgrade(url)
    target = out or deployed_dir(settings.resolved_model_dir, task)
    engine = get_engine(url)
    # Saved where the nightly scoring reads it, the model is deployed: audited as such, and
    # swapped in whole so that scoring never loads half of it.
    deploying = (
        audited_deployment(task, task=task, source="database", target=target)
        if out is None
        else nullcontext()
    )
    with deploying, unit_of_work(engine, write=False) as session:
        if task == DETRACTION:
            model = train_detraction(
                session, traits=traits or None, out=target, replace=out is None, seed=seed
            )
        else:
            label = LabelSource(trait=label_trait, stage=label_stage, positive=positive)
            model = train_on_timelines(
                session, label, traits=traits or None, out=target, replace=out is None, seed=seed
            )
    scored: dict[str, int] = {}
    if score_now:
        with unit_of_work(engine) as session:
            scored["scored"] = score_everyone(session, model)
    timeline = model.card["timeline"]
    return {
        **scored,
        "task": task,
        "model": str(target),
        "traits": timeline["traits"],
        "left_out_objecting_to_profiling": timeline["left_out_objecting_to_profiling"],
        **model.card["cross_validation"],
    }


def evaluate(model_dir: Path, *, data: Path, label_col: str) -> dict[str, Any]:
    model = load_model(model_dir)
    report = evaluate_churn(model, data, label_col=label_col)
    record_evaluation(model, model_dir, data.name, report)
    return report


def evaluate_from_timeline(model_dir: Path) -> dict[str, Any]:
    """A model trained from the timeline, measured on what happened since (the deployed
    model unless another directory is given); the figures join its card's history."""
    model = load_model(model_dir)
    url = get_settings().resolved_database_url
    upgrade(url)
    with unit_of_work(get_engine(url), write=False) as session:
        report = evaluate_on_timeline(session, model)
    record_evaluation(model, model_dir, f"customer timelines since {report['since']}", report)
    return report


def score(model_dir: Path, *, data: Path, out: Path | None, top: int) -> dict[str, Any]:
    scores = score_churn(load_model(model_dir), data, top=top)
    if out is not None:
        write_scores(scores, out)
        return {"n": len(scores), "out": str(out)}
    return {"n": len(scores), "scores": [s.as_dict() for s in scores]}


def show(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
        return
    err.print(f"n={report['n']}  roc_auc={report['roc_auc']}  brier={report['brier']}")
    if baseline := report.get("baseline"):
        err.print(
            f"baseline ({baseline['name']}): roc_auc={baseline['roc_auc']}  "
            f"brier={baseline['brier']}  ({report['method']})"
        )
    for row in report["calibration"]:
        err.print(
            f"  decile {row['decile']:>2}  predicted {row['mean_predicted']:.3f}  "
            f"observed {row['observed_rate']:.3f}  n={row['n']}"
        )
