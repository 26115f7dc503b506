"""Using a trained churn model: measure it on labelled customers, or score customers with
their reasons.

Each evaluation is also appended to the model card, so the card shows how the model holds up
on newer customers over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxloop.errors import ValidationFailed
from cxloop.proactive.metrics import report
from cxloop.proactive.model import ChurnModel, write_card
from cxloop.proactive.reasons import Reason, contributions, top_reasons
from cxloop.proactive.table import Table, read_table
from cxloop.store.tabular import Column, detect_format, write_rows

TOP_REASONS = 3
SCORE_COLUMNS = (
    Column("id"),
    Column("row", "int"),
    Column("risk", "float"),
    Column("reasons"),
    Column("reason_details", "json"),
)


def evaluate_churn(model: ChurnModel, data: Path, *, label_col: str) -> dict[str, Any]:
    """ROC AUC, Brier score and the calibration table on a labelled file; values the model
    never saw in a category column are scored as "(other)" and counted."""
    table = read_table(data, label_col=label_col, id_col=None)
    return evaluate_table(
        model,
        table,
        label_col=label_col,
        one_class="ROC AUC needs customers who left and customers who stayed",
    )


def evaluate_table(
    model: ChurnModel, table: Table, *, label_col: str, one_class: str
) -> dict[str, Any]:
    """The figures on a labelled table (a file, or customers' timelines); ``one_class`` says
    what to do when every row has the same label."""
    assert table.labels is not None
    truth = model.outcome.encode(table.labels, table.row_numbers)
    if len(set(truth.tolist())) < 2:
        only = table.labels[0] if table.labels else "none"
        raise ValidationFailed(
            f"column '{label_col}' has one value only ('{only}'); {one_class}", field=label_col
        )
    frame = model.schema.frame(table.columns, table.row_numbers)
    figures = report(truth, model.predict(frame))
    return {
        "task": "churn",
        **figures,
        "unseen_categories": model.schema.unseen(table.columns),
        "blanks": {
            name: blanks
            for name in model.schema.names
            if (blanks := sum(v is None for v in table.columns[name]))
        },
    }


def record_evaluation(
    model: ChurnModel, directory: Path, source: str, figures: dict[str, Any]
) -> None:
    """Append an evaluation's headline figures to the card (performance over time);
    ``source`` names what it was measured on (a file's name, "customer timelines since ...")."""
    model.card.setdefault("evaluations", []).append(
        {
            "evaluated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "data": source,
            **{k: figures[k] for k in ("n", "roc_auc", "brier", "churn_rate")},
        }
    )
    write_card(model.card, directory)


@dataclass(frozen=True)
class Score:
    row: int
    customer: str | None
    risk: float
    reasons: list[Reason]

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "id": self.customer,
            "risk": round(self.risk, 4),
            "reasons": [r.as_dict() for r in self.reasons],
        }


def score_churn(model: ChurnModel, data: Path, *, top: int = TOP_REASONS) -> list[Score]:
    """Every customer's chance of leaving with the features pushing it up most."""
    return score_table(model, read_table(data, label_col=None, id_col=model.id_col), top=top)


def score_table(model: ChurnModel, table: Table, *, top: int = TOP_REASONS) -> list[Score]:
    """Scores of a table's rows (a file, or customers' timelines), in its order."""
    frame = model.schema.frame(table.columns, table.row_numbers)
    risk = model.predict(frame)
    weights = contributions(model.schema, frame, model.predict)
    return [
        Score(
            row=number,
            customer=None if table.ids is None else table.ids[i],
            risk=float(risk[i]),
            reasons=top_reasons(model.schema, table.columns, weights, i, top),
        )
        for i, number in enumerate(table.row_numbers)
    ]


def write_scores(scores: list[Score], path: Path) -> int:
    """Scores as a file (format from the extension): reasons in words, and in detail."""
    rows = (
        {
            "id": s.customer,
            "row": s.row,
            "risk": round(s.risk, 4),
            "reasons": "; ".join(r.text for r in s.reasons),
            "reason_details": [r.as_dict() for r in s.reasons],
        }
        for s in scores
    )
    return write_rows(path, detect_format(path), SCORE_COLUMNS, rows)
