"""The full-data head's classifier: a linear SVM whose scores the nearest training texts
nudge, by as much as held-out folds of the user's own texts say they should."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cxloop.understanding.neighbours import NeighbourBlend


def around(centres: list[tuple[float, float]], per_centre: int, seed: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    points = np.vstack([rng.normal(centre, 0.15, size=(per_centre, 2)) for centre in centres])
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_labels_no_line_separates_are_read_from_the_neighbours() -> None:
    # "a" lies east and west, "b" north and south: no linear boundary holds them apart.
    centres = [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)]
    labels = ["a"] * 80 + ["b"] * 80
    model = NeighbourBlend(c=0.5, dense_columns=2, folds=3).fit(around(centres, 40, 0), labels)
    assert model.blend > 0
    proba = model.predict_proba(around(centres, 10, 1))
    assert np.allclose(proba.sum(axis=1), 1.0)
    predicted = model.classes_[proba.argmax(axis=1)]
    assert np.mean(predicted == np.array(["a"] * 20 + ["b"] * 20)) > 0.9


def test_where_a_line_already_separates_the_labels_the_svm_decides_alone() -> None:
    centres = [(1.0, 0.2), (0.2, 1.0), (-1.0, -0.2)]
    labels = ["a"] * 30 + ["b"] * 30 + ["c"] * 30
    model = NeighbourBlend(c=0.5, dense_columns=2, folds=3).fit(around(centres, 30, 0), labels)
    assert model.blend == 0.0
    assert list(model.classes_[model.predict_proba(around(centres, 1, 2)).argmax(axis=1)]) == [
        "a",
        "b",
        "c",
    ]
