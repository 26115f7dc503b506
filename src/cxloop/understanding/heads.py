"""A head: a small classifier over sentence embeddings (and, for intents, words), saved as a
directory holding ``head.joblib`` and a human-readable ``card.json``.

Labels are the user's own strings; the card records the encoder the head was trained on,
so a head is never run on vectors of a different encoder.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from cxloop.errors import ValidationFailed
from cxloop.understanding.encoder import Vectors

HEAD_FILE = "head.joblib"
CARD_FILE = "card.json"
FEATURES = ("embedding", "embedding+words", "embedding+words+chars")


@dataclass
class Head:
    task: str
    labels: list[str]
    classifier: Any
    encoder_version: str
    features: str = "embedding"
    vectorizer: Any | None = None
    # How much the embedding counts beside sparse TF-IDF columns (heads saved before it: 1).
    embedding_weight: float = 1.0
    card: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.card.get("version", f"{self.task}-custom"))

    def design(self, vectors: Vectors, texts: Sequence[str]) -> Any:
        """The classifier's input: embeddings, plus TF-IDF words when the head uses them."""
        if self.vectorizer is None:
            return vectors
        dense = sp.csr_matrix(vectors * np.float32(self.embedding_weight))
        return sp.hstack([dense, self.vectorizer.transform(texts)]).tocsr()

    def probabilities(self, vectors: Vectors, texts: Sequence[str]) -> NDArray[np.float64]:
        """One row per text, one column per label, in the order of ``labels``."""
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)))
        proba: NDArray[np.float64] = self.classifier.predict_proba(self.design(vectors, texts))
        return proba

    def predict(self, vectors: Vectors, texts: Sequence[str]) -> list[str]:
        proba = self.probabilities(vectors, texts)
        return [self.labels[i] for i in proba.argmax(axis=1)]


def save_head(head: Head, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(
        {
            "task": head.task,
            "labels": head.labels,
            "classifier": head.classifier,
            "encoder_version": head.encoder_version,
            "features": head.features,
            "vectorizer": head.vectorizer,
            "embedding_weight": head.embedding_weight,
        },
        directory / HEAD_FILE,
        compress=3,
    )
    (directory / CARD_FILE).write_text(json.dumps(head.card, indent=2, sort_keys=True) + "\n")
    return directory


def load_head(directory: Path, *, encoder_version: str | None = None) -> Head:
    """Load a head saved by :func:`save_head` (a trusted directory: joblib runs pickles)."""
    path = directory / HEAD_FILE
    if not path.is_file():
        raise ValidationFailed(f"'{directory}' holds no trained model ({HEAD_FILE})", field="model")
    stored = joblib.load(path)
    card_path = directory / CARD_FILE
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    head = Head(card=card, **stored)
    if encoder_version is not None and head.encoder_version != encoder_version:
        raise ValidationFailed(
            f"'{directory}' was trained on encoder {head.encoder_version}, "
            f"not {encoder_version}; train it again",
            field="model",
        )
    return head


def replace_directory(target: Path, fill: Callable[[Path], object]) -> None:
    """Put a model directory in place whole: ``fill`` writes it beside ``target``, then the
    two swap by renames, so a worker or server loading it never reads half a model. If
    ``fill`` fails, ``target`` is left as it was and what it wrote is removed."""
    staging = target.with_name(f"{target.name}.new")
    retired = target.with_name(f"{target.name}.old")
    for leftover in (staging, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fill(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
