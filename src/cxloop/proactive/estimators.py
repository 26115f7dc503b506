"""The churn model and the baseline it must beat.

The model averages two views of a customer: an additive logistic model (smooth splines of
each number, one weight per category, a flag for each blank number), which is well
calibrated and captures most of churn's signal, and shallow gradient-boosted trees with
native categories, which add the interactions (a high bill *on a monthly contract*) the
additive model cannot express. Settings were chosen by cross-validation on the Telco
development split only (bench/churn_accuracy.py); they are fixed, so training is quick and
repeatable. The baseline is the plain logistic regression analysts fit first.
"""

from __future__ import annotations

from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, SplineTransformer, StandardScaler

from cxloop.proactive.features import Schema

SPLINE_KNOTS = 5
ADDITIVE_C = 0.3
TREE_SETTINGS: dict[str, Any] = {
    "learning_rate": 0.05,
    "max_iter": 150,
    "max_depth": 3,
    "min_samples_leaf": 40,
    "l2_regularization": 1.0,
    "early_stopping": False,
}
MAX_ITER = 3000
# The additive model carries more weight: on its own it beats the trees, which add a little.
WEIGHTS = (0.7, 0.3)


Part = tuple[str, Any, list[str]]


def _one_hot(schema: Schema) -> Part:
    return (
        "categories",
        OneHotEncoder(handle_unknown="ignore"),
        [c.name for c in schema.categorical],
    )


def _columns(parts: list[Part]) -> ColumnTransformer:
    """The parts that have columns (a file may have no numbers, or no categories)."""
    return ColumnTransformer([p for p in parts if p[2]])


def _additive(schema: Schema) -> Pipeline:
    numeric = [c.name for c in schema.numeric]
    parts: list[Part] = [
        (
            "numbers",
            make_pipeline(
                SimpleImputer(strategy="median"),
                SplineTransformer(n_knots=SPLINE_KNOTS, extrapolation="constant"),
            ),
            schema.numeric_inputs,
        ),
        ("blanks", MissingIndicator(error_on_new=False), numeric),
        _one_hot(schema),
    ]
    return make_pipeline(_columns(parts), LogisticRegression(C=ADDITIVE_C, max_iter=MAX_ITER))


def _trees(seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=seed, **TREE_SETTINGS
    )


def churn_estimator(schema: Schema, seed: int = 0) -> VotingClassifier:
    return VotingClassifier(
        [("additive", _additive(schema)), ("trees", _trees(seed))],
        voting="soft",
        weights=list(WEIGHTS),
    )


def baseline_estimator(schema: Schema) -> Pipeline:
    """Logistic regression on the raw columns: standardised numbers (median for blanks)
    and one-hot categories."""
    parts: list[Part] = [
        (
            "numbers",
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            [c.name for c in schema.numeric],
        ),
        _one_hot(schema),
    ]
    return make_pipeline(_columns(parts), LogisticRegression(max_iter=MAX_ITER))
