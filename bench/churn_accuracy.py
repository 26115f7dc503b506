"""Churn model accuracy on the Telco development split, beside a logistic-regression baseline
computed on the same folds in the same run (the baseline the issue asks to beat).

5-fold stratified cross-validation: every customer is scored by a model and a baseline that
never saw them; ROC AUC and Brier score are computed on the pooled out-of-fold predictions.
Only the development split is read (the held-out customers are not on this machine).

    python bench/churn_accuracy.py [--data ../shared/datasets/telco_churn/telco_churn_dev.csv]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from cxloop.proactive import cross_validate, infer_schema, outcome_of, read_table

DATA = Path("../shared/datasets/telco_churn/telco_churn_dev.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--label-col", default="Churn")
    parser.add_argument("--id-col", default="customerID")
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds")
    args = parser.parse_args()

    started = time.perf_counter()
    table = read_table(args.data, label_col=args.label_col, id_col=args.id_col)
    assert table.labels is not None
    outcome = outcome_of(table.labels, column=args.label_col, positive=None)
    truth = outcome.encode(table.labels, table.row_numbers)
    schema = infer_schema(table.columns)
    frame = schema.frame(table.columns, table.row_numbers)
    summary = cross_validate(schema, frame, truth, seed=args.seed).summary()
    baseline = summary["baseline"]
    print(f"calibration (out of fold): {summary['calibration']}")
    print(
        json.dumps(
            {
                "name": "churn_accuracy_telco_5fold",
                "n": summary["n"],
                "roc_auc": summary["roc_auc"],
                "brier": summary["brier"],
                "baseline_roc_auc": baseline["roc_auc"],
                "baseline_brier": baseline["brier"],
                "ratio": round(summary["roc_auc"] / baseline["roc_auc"], 4),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
