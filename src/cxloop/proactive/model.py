"""A trained risk model on disk: the fitted estimator with what it learnt about the columns,
and ``card.json``, the model card a person reads (and ``cxloop model eval`` finds the task in).

Two tasks share the format: ``churn`` (the chance a customer leaves) and ``detraction`` (the
chance their next survey answer is a detractor's); both are the same kind of estimator on the
same kind of table, only the label differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits

from cxloop.errors import ValidationFailed
from cxloop.proactive.features import Schema
from cxloop.proactive.labels import Outcome
from cxloop.store.files import replace_file
from cxloop.understanding import replace_directory

TASK = "churn"
DETRACTION = "detraction"
RISK_TASKS = (TASK, DETRACTION)
MODEL_FILE = "churn.joblib"
CARD_FILE = "card.json"


@dataclass
class ChurnModel:
    estimator: Any
    schema: Schema
    outcome: Outcome
    id_col: str | None
    card: dict[str, Any]

    @property
    def task(self) -> str:
        return str(self.card.get("task", TASK))

    def predict(self, frame: Any) -> NDArray[np.float64]:
        """The chance that each row's customer leaves."""
        with one_thread():
            return np.asarray(self.estimator.predict_proba(frame)[:, 1], dtype=np.float64)


def one_thread() -> Any:
    """Run the trees on one thread. Gradient boosting's OpenMP threads cost more than they
    save on tables of customers (thousands of rows): training and scoring a few hundred
    customers took 27 s with them on a busy 2-core machine, 4.5 s without."""
    return threadpool_limits(limits=1)


def save_model(model: ChurnModel, directory: Path) -> Path:
    """Write the model's two files into ``directory`` (made if need be), beside whatever else
    it holds: a folder of the user's (``--out``) keeps its other files. A directory a scorer
    may be reading, the deployed model's, is written with :func:`replace_model` instead."""
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {
            "estimator": model.estimator,
            "schema": model.schema,
            "outcome": model.outcome,
            "id_col": model.id_col,
        },
        directory / MODEL_FILE,
        compress=3,
    )
    write_card(model.card, directory)
    return directory


def replace_model(model: ChurnModel, directory: Path) -> Path:
    """Make ``directory`` hold ``model`` and nothing else, swapped in whole: the model is saved
    beside it and the two directories swap by renames, so scoring that loads the deployed
    model while it is retrained never finds a half-written file in it. A save that fails
    leaves the old model as it was."""
    replace_directory(directory, lambda staging: save_model(model, staging))
    return directory


def write_card(card: dict[str, Any], directory: Path) -> None:
    """Write the card beside the old one, then rename it over: an evaluation recorded on the
    deployed model while the scorer reads its card never leaves half a JSON document."""
    text = json.dumps(card, indent=2) + "\n"
    replace_file(directory / CARD_FILE, lambda partial: partial.write_text(text))


def task_in(directory: Path) -> str | None:
    """The risk task of the model in ``directory`` (None: not a risk model)."""
    card = directory / CARD_FILE
    task = json.loads(card.read_text()).get("task") if card.is_file() else None
    return task if task in RISK_TASKS else None


def is_churn_model(directory: Path) -> bool:
    """Whether ``directory`` holds a risk model (churn or detraction): evaluated and scored
    the same way, never deployed as a text head."""
    return task_in(directory) is not None


def load_model(directory: Path) -> ChurnModel:
    """A model saved by :func:`save_model` (a trusted directory: joblib runs pickles)."""
    path = directory / MODEL_FILE
    if not path.is_file() or not is_churn_model(directory):
        raise ValidationFailed(f"'{directory}' holds no churn model ({MODEL_FILE})", field="model")
    # Both files are opened before either is read: a retrain that swaps the directory while
    # the estimator unpickles cannot pair it with the next model's card.
    with path.open("rb") as estimator, (directory / CARD_FILE).open("rb") as card:
        return ChurnModel(card=json.loads(card.read()), **joblib.load(estimator))
