"""The deployed risk models: trained from the company's timeline, scoring every customer they
may.

The churn model lives in ``<model dir>/churn`` (``DATA_DIR/models/churn`` by default), the
detraction model in ``<model dir>/detraction``; scores are stored one row per customer and
model, replaced at each run, so scoring twice is the same as once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.proactive.detraction import LABEL as DETRACTION_LABEL
from cxloop.proactive.detraction import LABEL_COLUMN, NEEDS, detraction_set, may_score
from cxloop.proactive.history import LEAD, LabelSource, TrainingSet, still_customers, training_set
from cxloop.proactive.model import (
    CARD_FILE,
    DETRACTION,
    TASK,
    ChurnModel,
    load_model,
    replace_model,
    save_model,
    task_in,
)
from cxloop.proactive.models import DetractionScore, LatestScore, RiskScore
from cxloop.proactive.scoring import TOP_REASONS, evaluate_table, score_table
from cxloop.proactive.timeline import timeline_table
from cxloop.proactive.training import train_on_table
from cxloop.types import utcnow

TIMELINE = "timeline"
BATCH = 1_000


def deployed_dir(model_dir: Path, task: str = TASK) -> Path:
    """Where the deployed model of ``task`` (churn, detraction) lives."""
    return model_dir / task


def deployed_model(model_dir: Path, task: str = TASK) -> ChurnModel | None:
    """The risk model the background scoring uses; None until one is trained from the
    timeline (a model trained on a file has no way to read customers' timelines)."""
    path = deployed_dir(model_dir, task)
    if task_in(path) != task:
        return None
    model = load_model(path)
    return model if TIMELINE in model.card else None


def deployed_card(model_dir: Path, task: str = TASK) -> dict[str, Any] | None:
    """The deployed model's card (what a person reads about it), without loading the model."""
    path = deployed_dir(model_dir, task) / CARD_FILE
    if not path.is_file():
        return None
    card: dict[str, Any] = json.loads(path.read_text())
    return card if card.get("task") == task and TIMELINE in card else None


def version_of(model: ChurnModel) -> str:
    return f"{model.task}-{model.card['trained_at']}"


def train_from_timeline(
    session: Session,
    label: LabelSource,
    *,
    traits: Sequence[str] | None = None,
    out: Path,
    replace: bool = False,
    seed: int = 0,
    now: datetime | None = None,
) -> ChurnModel:
    """Train on every customer's history and save the model (with how to rebuild its
    features) to ``out``; ``replace``: ``out`` is the deployed model's directory, replaced
    whole at once (:func:`replace_model`) rather than written into."""
    now = now or utcnow()
    found = training_set(session, label, traits=traits, now=now)
    model = train_on_table(
        found.table,
        label_col=label.column,
        id_col=None,
        positive=found.positive,
        seed=seed,
        data="customer timelines",
    )
    model.card[TIMELINE] = {
        "label": label.as_dict(),
        "positive": found.positive,
        "traits": found.traits,
        "lead_days": LEAD.days,
        "as_of": now.isoformat(timespec="seconds"),
        "customers": len(found.table),
        "left_out_objecting_to_profiling": found.refused,
    }
    (replace_model if replace else save_model)(model, out)
    return model


def train_detraction(
    session: Session,
    *,
    traits: Sequence[str] | None = None,
    out: Path,
    replace: bool = False,
    seed: int = 0,
    now: datetime | None = None,
) -> ChurnModel:
    """Train the detraction model on every customer's latest NPS answer and save it (with
    how to rebuild its features) to ``out``; ``replace``: ``out`` is the deployed model's
    directory, replaced whole at once (:func:`replace_model`) rather than written into."""
    now = now or utcnow()
    found = detraction_set(session, traits=traits, now=now)
    model = train_on_table(
        found.table,
        label_col=LABEL_COLUMN,
        id_col=None,
        positive=found.positive,
        seed=seed,
        data="customer timelines",
        task=DETRACTION,
        needs=NEEDS,
    )
    model.card[TIMELINE] = {
        "label": DETRACTION_LABEL,
        "positive": found.positive,
        "traits": found.traits,
        "lead_days": 0,
        "as_of": now.isoformat(timespec="seconds"),
        "customers": len(found.table),
        "left_out_objecting_to_profiling": found.refused,
    }
    (replace_model if replace else save_model)(model, out)
    return model


def trained_as_of(model: ChurnModel) -> datetime:
    """The moment the model's timelines were read (its training date on older cards)."""
    spec = model.card[TIMELINE]
    return datetime.fromisoformat(spec.get("as_of") or model.card["trained_at"])


def evaluate_on_timeline(
    session: Session, model: ChurnModel, *, now: datetime | None = None
) -> dict[str, Any]:
    """The deployed model measured on what happened since it was trained: customers who
    began leaving since then against those still here, each described as the model would
    have seen them a month before (the same features and lead time as in training)."""
    if TIMELINE not in model.card:
        raise ValidationFailed(
            "this model was trained on a file, not on the timeline: evaluate it on a newer "
            "file with --data",
            field="model",
        )
    now = now or utcnow()
    since = trained_as_of(model)
    spec = model.card[TIMELINE]
    found: TrainingSet
    if model.task == DETRACTION:
        found = detraction_set(session, traits=spec["traits"], now=now, since=since)
        news = "answers since the model was trained are all of one kind"
    else:
        label = LabelSource.from_dict(spec["label"])
        found = training_set(session, label, traits=spec["traits"], now=now, since=since)
        news = "no customer began leaving since the model was trained"
    figures = evaluate_table(
        model,
        found.table,
        label_col=model.outcome.column,
        one_class=f"{news} ({since:%Y-%m-%d}); evaluate again once some have, or retrain",
    )
    return {**figures, "since": since.isoformat(timespec="seconds")}


@dataclass(frozen=True)
class ScoringRun:
    scored: int
    skipped: int
    """Customers not scored: gone by the model's label, or objecting to profiling."""
    last_id: int | None


def score_batch(
    session: Session,
    model: ChurnModel,
    *,
    after_id: int = 0,
    limit: int = BATCH,
    now: datetime | None = None,
) -> ScoringRun:
    """Score the next ``limit`` customers after ``after_id`` (by id) with ``model`` (churn or
    detraction) and store their scores; a customer no longer eligible loses any score they
    had."""
    now = now or utcnow()
    ids = list(
        session.scalars(
            select(Customer.id)
            .where(Customer.merged_into_id.is_(None), Customer.id > after_id)
            .order_by(Customer.id)
            .limit(limit)
        )
    )
    if not ids:
        return ScoringRun(scored=0, skipped=0, last_id=None)
    spec = model.card[TIMELINE]
    detraction = model.task == DETRACTION
    stored: type[LatestScore] = DetractionScore if detraction else RiskScore
    keep = may_score(session, ids) if detraction else still_customers(session, ids, spec)
    session.execute(
        delete(stored)
        .where(stored.customer_id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    if keep:
        table = timeline_table(session, dict.fromkeys(keep, now), traits=spec["traits"], now=now)
        version = version_of(model)
        session.add_all(
            stored(
                customer_id=int(score.customer or 0),
                risk=round(score.risk, 4),
                reasons=[r.as_dict() for r in score.reasons],
                model_version=version,
                scored_at=now,
            )
            for score in score_table(model, table, top=TOP_REASONS)
        )
    session.flush()
    return ScoringRun(scored=len(keep), skipped=len(ids) - len(keep), last_id=ids[-1])


def score_everyone(
    session: Session, model: ChurnModel, *, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Every eligible customer, batch after batch; how many were scored."""
    now = now or utcnow()
    scored, after = 0, 0
    while True:
        run = score_batch(session, model, after_id=after, limit=batch, now=now)
        if run.last_id is None:
            return scored
        scored, after = scored + run.scored, run.last_id
