"""Scheduled metric reports: a daily or weekly email digest of chosen metrics, each with n,
its 95% interval and its change against the period before (with the p-value, and whether
it is significant), for the whole company. Aggregates only.

A daily report covers yesterday (UTC); a weekly one the last full week, Monday to Monday.
Each report goes out once per period, however often the scheduler runs.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.insights.alert_models import MetricReport
from cxloop.insights.alert_runs import Window
from cxloop.insights.alerts import url_moment
from cxloop.insights.case_facts import AsOf
from cxloop.insights.catalogue import metric_named, metrics
from cxloop.insights.dispatch import email_message, once, recipients
from cxloop.insights.dispatch import sent as already_sent
from cxloop.insights.query import parse_query
from cxloop.insights.schemas import MetricResult
from cxloop.insights.service import measure_all
from cxloop.outreach import Notice
from cxloop.settings import Settings


def report_window(now: datetime, frequency: str) -> Window:
    today = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    if frequency == "daily":
        return Window(today - timedelta(days=1), today)
    monday = today - timedelta(days=today.weekday())
    return Window(monday - timedelta(days=7), monday)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def digest_line(result: MetricResult) -> str:
    """One metric in words: 'NPS: 32.0 points (95% CI 20.1 to 43.9, n=180); was 40.0, -8.0
    (p = 0.210, not significant)'."""
    v, change = result.total.current, result.total.change
    title = result.metric.title
    if v.value is None:
        return f"{title}: {'suppressed' if v.suppressed else 'no data'} (n={v.n})"
    line = f"{title}: {_figure(v.value)} {result.metric.unit}"
    if v.low is not None and v.high is not None:
        line += f" (95% CI {v.low:.1f} to {v.high:.1f}, n={v.n})"
    else:
        line += f" (n={v.n})"
    if change.difference is None:
        return line + "; no value the period before"
    verdict = "significant" if change.significant else "not significant"
    p = "" if change.p_value is None else f"p = {change.p_value:.3f}, "
    return f"{line}; was {_figure(change.previous.value)}, {change.difference:+.1f} ({p}{verdict})"


def digest(
    session: Session, report: MetricReport, settings: Settings, now: datetime
) -> tuple[Window, Notice]:
    window = report_window(now, report.frequency)
    known = {m.name for m in metrics()}
    chosen = [metric_named(name) for name in report.metrics if name in known]
    results = measure_all(
        session,
        [parse_query(m, start=window.start, end=window.end) for m in chosen],
        min_n=settings.metrics_min_n,
        as_of=AsOf.of(settings, now),
    )
    days, span = window.days, window.label
    shown = {"metric": chosen[0].name} if chosen else {}
    shown |= {"from": url_moment(window.start), "to": url_moment(window.end)}
    link = f"{settings.public_url.rstrip('/')}/dashboard?{urlencode(shown)}"
    lines = [
        f"{report.frequency.capitalize()} report, {span} (UTC), against the {days} "
        f"day{'s' if days > 1 else ''} before.",
        "",
        *(digest_line(r) for r in results),
    ]
    return window, Notice(title=f"{report.name}: {span}", lines=lines, link=link)


def send_reports(session: Session, settings: Settings, now: datetime) -> int:
    """Send every active report not yet sent for its latest period; return how many went."""
    sent = 0
    for report in session.scalars(select(MetricReport).where(MetricReport.active.is_(True))):
        to = recipients(session, report.user_ids, report.addresses)
        period = report_window(now, report.frequency).period
        if not to or "email" in already_sent(session, "report", report.id, "", period):
            continue
        window, said = digest(session, report, settings, now)
        sent += len(
            once(
                session, subject="report", owner_id=report.id, group_key="", period=window.period,
                channels={"email": email_message(said, to)}, settings=settings, now=now,
            )
        )  # fmt: skip
    return sent
