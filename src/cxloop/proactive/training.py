"""Training a churn model: cross-validated figures beside the baseline, then the final fit.

The figures on the card come from out-of-fold predictions (every customer scored by a model
that never saw them), with the logistic-regression baseline fitted on the same folds, so the
card says both how good the model is and whether its complexity pays for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from numpy.typing import NDArray
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from cxloop.proactive.estimators import baseline_estimator, churn_estimator
from cxloop.proactive.features import Schema, infer_schema
from cxloop.proactive.labels import NEEDS_BOTH, outcome_of
from cxloop.proactive.metrics import report, scores
from cxloop.proactive.model import TASK, ChurnModel, one_thread
from cxloop.proactive.table import Table, read_table

FOLDS = 5
METHOD = f"{FOLDS}-fold stratified cross-validation"


@dataclass(frozen=True)
class CrossValidation:
    truth: NDArray[Any]
    model: NDArray[np.float64]
    baseline: NDArray[np.float64]

    def summary(self) -> dict[str, Any]:
        ours, theirs = report(self.truth, self.model), scores(self.truth, self.baseline)
        return {
            **ours,
            "baseline": {"name": "logistic regression", **theirs},
            "method": METHOD,
        }


def cross_validate(
    schema: Schema, frame: Any, truth: NDArray[Any], *, seed: int = 0, folds: int = FOLDS
) -> CrossValidation:
    """Out-of-fold chances of leaving from the model and from the baseline, same folds."""
    model = np.zeros(len(truth))
    baseline = np.zeros(len(truth))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    estimators = (churn_estimator(schema, seed), baseline_estimator(schema))
    for train, test in splitter.split(np.zeros(len(truth)), truth):
        for estimator, out in zip(estimators, (model, baseline), strict=True):
            fitted = clone(estimator).fit(frame.iloc[train], truth[train])
            out[test] = fitted.predict_proba(frame.iloc[test])[:, 1]
    return CrossValidation(truth=truth, model=model, baseline=baseline)


def train_churn(
    data: Path, *, label_col: str, id_col: str | None, positive: str | None, seed: int = 0
) -> ChurnModel:
    """A model on every row of ``data``, its card holding the cross-validated figures."""
    table = read_table(data, label_col=label_col, id_col=id_col)
    return train_on_table(
        table, label_col=label_col, id_col=id_col, positive=positive, seed=seed, data=data.name
    )


def train_on_table(
    table: Table,
    *,
    label_col: str,
    id_col: str | None,
    positive: str | None,
    data: str,
    seed: int = 0,
    task: str = TASK,
    needs: str = NEEDS_BOTH,
) -> ChurnModel:
    """A model on every row of ``table`` (a file, or customers' timelines); ``task`` names
    what it predicts (churn, or detraction), ``needs`` what one class only lacks."""
    assert table.labels is not None
    outcome = outcome_of(table.labels, column=label_col, positive=positive, needs=needs)
    truth = outcome.encode(table.labels, table.row_numbers)
    schema = infer_schema(table.columns)
    frame = schema.frame(table.columns, table.row_numbers)
    with one_thread():
        validation = cross_validate(schema, frame, truth, seed=seed)
        estimator = churn_estimator(schema, seed).fit(frame, truth)
    card = {
        "task": task,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "data": data,
        "label": {"column": label_col, "positive": outcome.positive, "negative": outcome.negative},
        "id_column": id_col,
        "model": "additive logistic model (splines) 0.7 + gradient-boosted trees 0.3",
        "features": schema.describe(),
        "derived": [f"log-ratio {a} / {b}" for a, b in schema.ratios],
        "ignored": schema.ignored,
        "cross_validation": validation.summary(),
        "evaluations": [],
        "versions": {"scikit-learn": sklearn.__version__},
    }
    return ChurnModel(estimator=estimator, schema=schema, outcome=outcome, id_col=id_col, card=card)
