"""What ``cxloop model train`` and ``cxloop model eval`` can do, one entry per task.

A task reads its own columns from the user's file, fits and measures a model, and saves it
in a directory whose ``card.json`` names the task, so evaluation finds the right code again.
Text tasks share one implementation; a task on tabular features (churn) adds an entry here
without touching the commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxloop.errors import ValidationFailed
from cxloop.understanding.analyser import BUILTIN_HEADS
from cxloop.understanding.encoder import load_encoder
from cxloop.understanding.heads import load_head, save_head
from cxloop.understanding.training.data import read_labelled
from cxloop.understanding.training.evaluate import evaluate_head
from cxloop.understanding.training.train import TEXT_TASKS, train_text_head


@dataclass(frozen=True)
class TrainOptions:
    data: Path
    label_col: str
    out: Path
    model_dir: Path
    cache_dir: Path | None
    text_col: str | None = None
    id_col: str | None = None
    shots: int | None = None
    seed: int = 0


@dataclass(frozen=True)
class EvalOptions:
    model: Path
    data: Path
    label_col: str
    model_dir: Path
    cache_dir: Path | None
    text_col: str | None = None
    id_col: str | None = None


@dataclass(frozen=True)
class Task:
    train: Callable[[str, TrainOptions], dict[str, Any]]
    evaluate: Callable[[EvalOptions], dict[str, Any]]


def _text_col(value: str | None) -> str:
    if not value:
        raise ValidationFailed(
            "text tasks need --text-col, the column holding the text", field="text_col"
        )
    return value


def _train_text(task: str, options: TrainOptions) -> dict[str, Any]:
    if options.shots is not None and options.shots < 1:
        raise ValidationFailed("--shots must be at least 1", field="shots")
    data = read_labelled(
        options.data, text_col=_text_col(options.text_col), label_col=options.label_col
    )
    head, report = train_text_head(
        task=task,
        data=data,
        encoder=load_encoder(options.model_dir),
        cache_dir=options.cache_dir,
        shots=options.shots,
        seed=options.seed,
    )
    save_head(head, options.out)
    return {"task": task, "model": str(options.out), "labels": head.labels, **report}


def _evaluate_text(options: EvalOptions) -> dict[str, Any]:
    encoder = load_encoder(options.model_dir)
    head = load_head(options.model, encoder_version=encoder.version)
    data = read_labelled(
        options.data, text_col=_text_col(options.text_col), label_col=options.label_col
    )
    return {"task": head.task, **evaluate_head(head, data, encoder, options.cache_dir)}


TASKS: dict[str, Task] = {
    name: Task(train=_train_text, evaluate=_evaluate_text) for name in TEXT_TASKS
}


def resolve_model(name: str) -> Path:
    """A directory, or ``builtin:NAME`` for a head shipped in the package."""
    if name.startswith("builtin:"):
        path = BUILTIN_HEADS / name.removeprefix("builtin:")
        if not (path / "head.joblib").is_file():
            shipped = sorted(
                p.name for p in BUILTIN_HEADS.iterdir() if (p / "head.joblib").is_file()
            )
            raise ValidationFailed(
                f"no built-in model '{name}' (shipped: {', '.join(shipped)})",
                field="model",
            )
        return path
    return Path(name)


def task_of(model: Path) -> str:
    card = model / "card.json"
    if not card.is_file():
        raise ValidationFailed(f"'{model}' holds no trained model (card.json)", field="model")
    task = json.loads(card.read_text()).get("task")
    if task not in TASKS:
        raise ValidationFailed(f"'{model}' is a model for an unknown task '{task}'", field="model")
    return str(task)
