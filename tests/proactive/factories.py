"""Synthetic customer files whose churn is driven by known features (contract, tenure)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

CONTRACTS = ("Month-to-month", "One year", "Two year")
PAYMENTS = ("Card", "Bank transfer", "Cheque", "Cash")
FIELDS = ("customer", "contract", "tenure", "monthly", "total", "payment", "churned")


def customers(n: int = 400, seed: int = 0) -> list[dict[str, Any]]:
    """Month-to-month and short tenure raise the odds of leaving; payment is pure noise.
    Like Telco's TotalCharges, ``total`` is blank (a space) for customers in their first month.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        contract = CONTRACTS[rng.choice(3, p=[0.5, 0.25, 0.25])]
        tenure = int(rng.integers(0, 73))
        monthly = round(float(rng.uniform(20, 110)), 2)
        odds = 2.0 * (contract == CONTRACTS[0]) - 0.06 * tenure + 0.015 * (monthly - 65) - 0.5
        left = rng.random() < 1 / (1 + np.exp(-odds))
        rows.append(
            {
                "customer": f"C{i:04d}",
                "contract": contract,
                "tenure": tenure,
                "monthly": monthly,
                "total": " " if tenure == 0 else round(tenure * monthly, 2),
                "payment": PAYMENTS[int(rng.integers(0, 4))],
                "churned": "Yes" if left else "No",
            }
        )
    return rows


def write_customers(
    path: Path, rows: list[dict[str, Any]], fields: tuple[str, ...] = FIELDS
) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
