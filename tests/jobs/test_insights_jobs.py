"""``insights.alerts`` and ``insights.reports`` on the worker's hourly schedule: a second
run, or a run after a restart (a new queue), sends nothing already sent for the period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxloop.jobs import ALERTS, JOBS, REPORTS, Queue
from cxloop.types import utcnow
from tests.insights.alert_factories import POOR, alert_settings, make_report, make_rule
from tests.insights.factories import answer_all, make_scores_survey, nps_answers
from tests.outreach.smtp_server import Inbox


def test_both_jobs_run_by_themselves_every_hour() -> None:
    assert JOBS["insights.alerts"] is ALERTS and JOBS["insights.reports"] is REPORTS
    assert (ALERTS.every_minutes, REPORTS.every_minutes) == (60, 60)


def test_an_alert_and_a_report_go_out_once_across_runs_and_restarts(
    session: Session, connection: Connection, tmp_path: Path, inbox: Inbox
) -> None:
    two_days_ago = utcnow().replace(hour=8, minute=0) - timedelta(days=2)
    answer_all(session, make_scores_survey(session), nps_answers(POOR * 20, channel="store",
               at=two_days_ago))  # fmt: skip
    make_rule(session)
    make_report(session, frequency="daily")
    settings = alert_settings(tmp_path, inbox.port, jobs_url="memory")

    for _restart in range(2):
        queue = Queue(settings, connection)
        for _run in range(2):
            queue.run(ALERTS.name, {})
            queue.run(REPORTS.name, {})

    assert sorted(m["Subject"].split(":")[0] for m in inbox.messages) == [
        "Alert",
        "Weekly CX",
    ]
