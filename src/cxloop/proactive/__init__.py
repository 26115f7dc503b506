"""Proactive: risk of churn per customer with its reasons, and next-best-action playbooks."""

from cxloop.proactive.features import Schema, infer_schema
from cxloop.proactive.labels import Outcome, outcome_of
from cxloop.proactive.model import ChurnModel, is_churn_model, load_model, save_model
from cxloop.proactive.reasons import Reason
from cxloop.proactive.scoring import (
    Score,
    evaluate_churn,
    record_evaluation,
    score_churn,
    write_scores,
)
from cxloop.proactive.table import Table, read_table
from cxloop.proactive.training import CrossValidation, cross_validate, train_churn

__all__ = [
    "ChurnModel",
    "CrossValidation",
    "Outcome",
    "Reason",
    "Schema",
    "Score",
    "Table",
    "cross_validate",
    "evaluate_churn",
    "infer_schema",
    "is_churn_model",
    "load_model",
    "outcome_of",
    "read_table",
    "record_evaluation",
    "save_model",
    "score_churn",
    "train_churn",
    "write_scores",
]
