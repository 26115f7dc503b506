"""Proactive: risk of churn and of detraction per customer with its reasons, and
next-best-action playbooks."""

from cxloop.proactive.features import Schema, infer_schema
from cxloop.proactive.history import LEAD, LabelSource
from cxloop.proactive.labels import Outcome, outcome_of
from cxloop.proactive.listing import VALUE_TRAIT, customer_risk, risk_page
from cxloop.proactive.model import (
    DETRACTION,
    ChurnModel,
    is_churn_model,
    load_model,
    replace_model,
    save_model,
)
from cxloop.proactive.models import DetractionScore, Playbook, PlaybookAction, RiskScore
from cxloop.proactive.playbooks import ORIGIN as PLAYBOOK_ORIGIN
from cxloop.proactive.playbooks import (
    PlaybookRun,
    create_playbook,
    get_playbook,
    list_playbooks,
    open_retention_case,
    reasons_in_words,
    run_playbooks,
)
from cxloop.proactive.reasons import Reason
from cxloop.proactive.risk import (
    ScoringRun,
    deployed_card,
    deployed_dir,
    deployed_model,
    evaluate_on_timeline,
    score_batch,
    score_everyone,
    train_detraction,
    train_from_timeline,
)
from cxloop.proactive.schemas import (
    PlaybookChange,
    PlaybookCreate,
    PlaybookRead,
    ReasonRead,
    RiskPage,
    RiskRead,
    ScoreRead,
)
from cxloop.proactive.scoring import (
    Score,
    evaluate_churn,
    record_evaluation,
    score_churn,
    write_scores,
)
from cxloop.proactive.table import Table, read_table
from cxloop.proactive.timeline import FEATURES as TIMELINE_FEATURES
from cxloop.proactive.training import CrossValidation, cross_validate, train_churn

__all__ = [
    "DETRACTION",
    "LEAD",
    "PLAYBOOK_ORIGIN",
    "TIMELINE_FEATURES",
    "VALUE_TRAIT",
    "ChurnModel",
    "CrossValidation",
    "DetractionScore",
    "LabelSource",
    "Outcome",
    "Playbook",
    "PlaybookAction",
    "PlaybookChange",
    "PlaybookCreate",
    "PlaybookRead",
    "PlaybookRun",
    "Reason",
    "ReasonRead",
    "RiskPage",
    "RiskRead",
    "RiskScore",
    "Schema",
    "Score",
    "ScoreRead",
    "ScoringRun",
    "Table",
    "create_playbook",
    "cross_validate",
    "customer_risk",
    "deployed_card",
    "deployed_dir",
    "deployed_model",
    "evaluate_churn",
    "evaluate_on_timeline",
    "get_playbook",
    "infer_schema",
    "is_churn_model",
    "list_playbooks",
    "load_model",
    "open_retention_case",
    "outcome_of",
    "read_table",
    "reasons_in_words",
    "record_evaluation",
    "replace_model",
    "risk_page",
    "run_playbooks",
    "save_model",
    "score_batch",
    "score_churn",
    "score_everyone",
    "train_churn",
    "train_detraction",
    "train_from_timeline",
    "write_scores",
]

from cxloop.hooks import register_builtin as _register
from cxloop.proactive import plugin as _plugin

_register(_plugin, "cxloop.proactive")
