"""A linear SVM whose scores are nudged by the labels of each text's nearest training texts.

The SVM reads words, character n-grams and the embedding together, with one linear boundary
per label; the nearest training texts in embedding space add what such boundaries cannot
draw around a label's scattered phrasings. On banking77 (5-fold cross-validation) the blend
raised accuracy on every fold, from 0.928 for the SVM alone to 0.9325 for the head.
Probabilities are a softmax of the blended scores at one temperature fitted on held-out
folds: unlike per-label sigmoids (0.927), a single temperature never changes which label
wins, so what the analyser reads as confidence costs no accuracy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

# Chosen by 5-fold cross-validation on banking77: 5 to 15 neighbours, sharpness 0.02 or 0.05
# and blend weights 0.05 to 0.15 all gave 0.931 to 0.934, against 0.928 for the SVM alone.
NEIGHBOURS = 10
SHARPNESS = 0.02
# The weights the blend may take, the first best on held-out folds winning.
BLENDS = (0.0, 0.05, 0.1, 0.15)
# A label none of the neighbours carries: its neighbour share, floored so its log is finite.
FLOOR = 1e-6
CHUNK = 1024


class NeighbourBlend:
    """Fitted on a design matrix whose first ``dense_columns`` columns are the (scaled)
    sentence embedding; the nearest neighbours are found by cosine similarity on those."""

    def __init__(self, *, c: float, dense_columns: int, folds: int, seed: int = 0) -> None:
        self.c = c
        self.dense_columns = dense_columns
        self.folds = folds
        self.seed = seed
        self.blend = 0.0
        self.temperature = 1.0
        self.classes_: NDArray[Any] = np.array([])
        self._svm: LinearSVC | None = None
        self._neighbours: NDArray[np.float16] = np.zeros((0, dense_columns), dtype=np.float16)
        self._neighbour_labels: NDArray[np.intp] = np.zeros(0, dtype=np.intp)

    def _embedding(self, design: Any) -> NDArray[np.float32]:
        dense = design[:, : self.dense_columns]
        rows = np.asarray(dense.toarray() if sp.issparse(dense) else dense, dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        normalised: NDArray[np.float32] = rows / np.maximum(norms, np.float32(1e-12))
        return normalised

    def _fit_scores(self, design: Any, codes: NDArray[np.intp]) -> None:
        self._svm = LinearSVC(C=self.c).fit(design, codes)
        # Half precision: the training vectors are most of the head's file, and similarities
        # need no more than three digits.
        self._neighbours = self._embedding(design).astype(np.float16)
        self._neighbour_labels = codes

    def _neighbour_share(self, embedding: NDArray[np.float32]) -> NDArray[np.float64]:
        """Each row's share of each label among its nearest training texts, the nearer
        counting more."""
        similarity = (embedding @ self._neighbours.T.astype(np.float32)).astype(np.float64)
        k = min(NEIGHBOURS, similarity.shape[1])
        nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
        rows = np.broadcast_to(np.arange(len(similarity))[:, None], nearest.shape)
        votes = np.zeros((len(similarity), len(self.classes_)))
        weights = np.exp((similarity[rows, nearest] - 1.0) / SHARPNESS)
        np.add.at(votes, (rows, self._neighbour_labels[nearest]), weights)
        share: NDArray[np.float64] = votes / votes.sum(axis=1, keepdims=True)
        return share

    def _parts(self, design: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The SVM's scores and the log of the neighbours' shares, one column per label."""
        assert self._svm is not None, "fit first"
        svm = np.asarray(self._svm.decision_function(design), dtype=np.float64)
        if svm.ndim == 1:  # two labels: one signed score for the second
            svm = np.column_stack([-svm, svm])
        embedding = self._embedding(design)
        # In chunks: a file of texts to score against every training text would otherwise
        # hold one similarity per pair.
        share = np.vstack(
            [
                self._neighbour_share(embedding[start : start + CHUNK])
                for start in range(0, len(embedding), CHUNK)
            ]
        )
        return svm, np.log(share + FLOOR)

    def fit(self, design: Any, labels: list[str]) -> NeighbourBlend:
        """The blend weight and the temperature are chosen on held-out folds of the user's
        own texts: where neighbours do not help (or a small file cannot tell), the weight
        stays 0 and the head is the SVM alone."""
        self.classes_, codes = np.unique(np.asarray(labels), return_inverse=True)
        svm = np.zeros((len(codes), len(self.classes_)))
        log_share = np.zeros_like(svm)
        splitter = StratifiedKFold(n_splits=self.folds, shuffle=True, random_state=self.seed)
        for train, test in splitter.split(np.zeros(len(codes)), codes):
            inner = NeighbourBlend(c=self.c, dense_columns=self.dense_columns, folds=self.folds)
            inner.classes_ = self.classes_
            inner._fit_scores(design[train], codes[train])
            svm[test], log_share[test] = inner._parts(design[test])
        correct = [
            int(((svm + weight * log_share).argmax(axis=1) == codes).sum()) for weight in BLENDS
        ]
        self.blend = BLENDS[correct.index(max(correct))]
        held_out = svm + self.blend * log_share

        def loss(log_t: float) -> float:
            log_p = log_softmax(held_out / np.exp(log_t), axis=1)
            return float(-log_p[np.arange(len(codes)), codes].mean())

        self.temperature = float(np.exp(minimize_scalar(loss, bounds=(-6.0, 3.0)).x))
        self._fit_scores(design, codes)
        return self

    def predict_proba(self, design: Any) -> NDArray[np.float64]:
        svm, log_share = self._parts(design)
        proba: NDArray[np.float64] = np.exp(
            log_softmax((svm + self.blend * log_share) / self.temperature, axis=1)
        )
        return proba
