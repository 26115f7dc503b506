"""Alert rules and reports over hand-computed NPS fixtures, and settings that send to the
local SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from cxloop.insights import (
    AlertRuleCreate,
    MetricReport,
    ReportCreate,
    StoredAlertRule,
    create_report,
    create_rule,
)
from cxloop.settings import Settings
from tests.insights.factories import answer_all, make_scores_survey, nps_answers
from tests.outreach.http_receiver import WEBHOOK_SECRET

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)  # a Monday noon
ACTOR = "lead@example.com"
# 2 promoters, 5 detractors in 10: NPS -30.
POOR = [0, 3, 5, 6, 7, 8, 8, 9, 10, 6]
# 7 promoters, 1 detractor in 10: NPS 60.
GOOD = [10, 10, 9, 9, 9, 8, 7, 10, 9, 3]


def alert_settings(tmp_path: Path, smtp_port: int, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        smtp_port=smtp_port,
        smtp_retries=0,
        public_url="https://cx.example.com",
        alert_webhook_secret=WEBHOOK_SECRET,
        **extra,
    )


def store_falls(session: Session) -> None:
    """The store: NPS 60 on 200 answers the week before last, -30 on 200 last week (whole
    interval below 0); the app: -30 on 10 answers last week (an interval reaching far above 0)."""
    survey = make_scores_survey(session)
    answer_all(
        session,
        survey,
        nps_answers(GOOD * 20, channel="store", at=NOW - timedelta(days=11))
        + nps_answers(POOR * 20, channel="store", at=NOW - timedelta(days=4))
        + nps_answers(POOR, channel="app", at=NOW - timedelta(days=4)),
    )


def make_rule(session: Session, **fields: Any) -> StoredAlertRule:
    given: dict[str, Any] = {
        "name": "NPS under zero",
        "metric": "nps",
        "kind": "below",
        "threshold": 0,
        "by": ["channel"],
        "addresses": ["cx-team@example.com"],
    }
    return create_rule(session, AlertRuleCreate(**(given | fields)), actor=ACTOR)


def make_report(session: Session, **fields: Any) -> MetricReport:
    given: dict[str, Any] = {
        "name": "Weekly CX",
        "metrics": ["nps", "csat"],
        "frequency": "weekly",
        "addresses": ["board@example.com"],
    }
    return create_report(session, ReportCreate(**(given | fields)), actor=ACTOR)
