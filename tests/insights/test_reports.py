"""Scheduled reports: the last full day or week of chosen metrics, with intervals and
changes, emailed once per period."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from cxloop.insights import report_window, send_reports
from tests.insights.alert_factories import NOW, alert_settings, make_report, store_falls
from tests.outreach.smtp_server import Inbox


def test_a_weekly_report_covers_monday_to_sunday_and_a_daily_one_yesterday() -> None:
    weekly = report_window(NOW + timedelta(days=3), "weekly")
    assert (weekly.label, weekly.period) == ("09 Mar to 15 Mar 2026", "2026-03-09/2026-03-16")
    assert report_window(NOW, "daily").label == "15 Mar 2026"


def test_the_weekly_digest_gives_each_metric_its_interval_and_its_significant_change(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)  # last week: 210 answers, NPS -30; the week before: 200, NPS 60
    make_report(session)

    assert send_reports(session, alert_settings(tmp_path, inbox.port), NOW) == 1

    [mail] = inbox.messages
    assert mail["To"] == "board@example.com"
    assert mail["Subject"] == "Weekly CX: 09 Mar to 15 Mar 2026"
    body = mail.get_content()
    assert "Weekly report, 09 Mar to 15 Mar 2026 (UTC), against the 7 days before." in body
    # 210 answers: 42 promoters, 105 detractors: NPS -30, se = sqrt(0.61 / 210) = 5.39.
    assert (
        "Net Promoter Score: -30.0 points (95% CI -40.6 to -19.4, n=210); was 60.0, -90.0 "
        "(p = 0.000, significant)"
    ) in body
    assert "Customer satisfaction (CSAT): no data (n=0)" in body
    assert "https://cx.example.com/dashboard?metric=nps" in body


def test_a_report_goes_out_once_per_period(session: Session, tmp_path: Path, inbox: Inbox) -> None:
    make_report(session, frequency="daily")
    settings = alert_settings(tmp_path, inbox.port)

    assert send_reports(session, settings, NOW) == 1
    assert send_reports(session, settings, NOW + timedelta(hours=5)) == 0
    assert send_reports(session, settings, NOW + timedelta(days=1)) == 1
    assert [m["Subject"] for m in inbox.messages] == [
        "Weekly CX: 15 Mar 2026",
        "Weekly CX: 16 Mar 2026",
    ]


def test_a_switched_off_report_is_not_sent(session: Session, tmp_path: Path, inbox: Inbox) -> None:
    make_report(session, active=False)
    assert send_reports(session, alert_settings(tmp_path, inbox.port), NOW) == 0
    assert inbox.messages == []
