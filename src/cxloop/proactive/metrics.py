"""How good a churn score is: ranking (ROC AUC), calibration (Brier, and by decile).

A retention team acts on the ranking (call the riskiest first) and on the numbers themselves
(a 30% risk should leave about 30% of the time), so both are measured and the decile table
shows where the score over- or under-states the risk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import brier_score_loss, roc_auc_score

DECILES = 10


def calibration_table(truth: NDArray[Any], predicted: NDArray[Any]) -> list[dict[str, Any]]:
    """Customers in ten groups of rising risk: predicted vs observed churn in each."""
    order = np.argsort(predicted, kind="stable")
    groups = [g for g in np.array_split(order, DECILES) if len(g)]
    return [
        {
            "decile": i + 1,
            "n": len(group),
            "mean_predicted": round(float(predicted[group].mean()), 4),
            "observed_rate": round(float(truth[group].mean()), 4),
        }
        for i, group in enumerate(groups)
    ]


def scores(truth: NDArray[Any], predicted: NDArray[Any]) -> dict[str, float]:
    return {
        "roc_auc": round(float(roc_auc_score(truth, predicted)), 4),
        "brier": round(float(brier_score_loss(truth, predicted)), 4),
    }


def report(truth: NDArray[Any], predicted: NDArray[Any]) -> dict[str, Any]:
    return {
        "n": len(truth),
        **scores(truth, predicted),
        "churn_rate": round(float(truth.mean()), 4),
        "calibration": calibration_table(truth, predicted),
    }
