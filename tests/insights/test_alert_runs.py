"""Stored alert rules checked on a schedule: they fire on what the statistics support, stay
quiet otherwise, and each alert goes out once per rule, group and period on each channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from cxloop.insights import alert_window, retry_due, send_alerts
from tests.insights.alert_factories import NOW, alert_settings, make_rule, store_falls
from tests.outreach.http_receiver import WEBHOOK_SECRET, Receiver, receiver
from tests.outreach.smtp_server import Inbox


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def test_the_window_is_the_last_full_days_so_every_run_of_a_day_names_one_period() -> None:
    morning, evening = alert_window(NOW - timedelta(hours=11), 7), alert_window(NOW, 7)
    assert morning == evening
    assert (evening.start.isoformat(), evening.end.isoformat()) == (
        "2026-03-09T00:00:00+00:00",
        "2026-03-16T00:00:00+00:00",
    )
    assert evening.period == "2026-03-09/2026-03-16"


def test_a_rule_fires_for_the_group_whose_whole_interval_is_below_by_email_and_chat(
    session: Session, tmp_path: Path, inbox: Inbox, hook: Receiver
) -> None:
    store_falls(session)
    make_rule(session, webhook_url=hook.url)

    sent = send_alerts(session, alert_settings(tmp_path, inbox.port), NOW)

    assert sent == 2  # the store, by email and by chat; the app's 10 answers prove nothing
    [mail] = inbox.messages
    assert mail["To"] == "cx-team@example.com"
    assert mail["Subject"] == "Alert: NPS under zero"
    body = mail.get_content()
    # -30 on 200: se = sqrt((0.2 + 0.5 - 0.09) / 200) = 5.52 points, CI -40.8 to -19.2.
    assert (
        "Net Promoter Score (channel store) is -30.0 points (95% CI -40.8 to -19.2, n=200): "
        "below 0\nPeriod: 09 Mar to 15 Mar 2026 (UTC)"
    ) in body
    assert "https://cx.example.com/dashboard?metric=nps&channel=store" in body
    [post] = hook.received
    text = orjson.loads(post.body)["text"]
    assert text.startswith("Alert: NPS under zero\nNet Promoter Score (channel store) is -30.0")
    assert "webhook-signature" not in post.headers  # a chat URL is its own secret


def test_an_alert_goes_out_once_per_period_and_again_the_next_day(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    make_rule(session)
    settings = alert_settings(tmp_path, inbox.port)

    assert send_alerts(session, settings, NOW) == 1
    assert send_alerts(session, settings, NOW + timedelta(hours=3)) == 0
    assert len(inbox.messages) == 1
    assert send_alerts(session, settings, NOW + timedelta(days=1)) == 1  # still below a day on
    assert len(inbox.messages) == 2


def test_rules_the_data_does_not_support_stay_quiet(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    make_rule(session, name="above", kind="above", threshold=0)
    make_rule(session, name="rise", kind="rise", threshold=None)
    make_rule(session, name="off", active=False)

    assert send_alerts(session, alert_settings(tmp_path, inbox.port), NOW) == 0
    assert inbox.messages == []


def test_a_significant_drop_fires_and_names_its_p_value(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    rule = make_rule(
        session, name="drop", kind="drop", threshold=None, filters=["channel:store"], by=[]
    )

    assert send_alerts(session, alert_settings(tmp_path, inbox.port), NOW) == 1
    body = inbox.messages[0].get_content()
    assert "Net Promoter Score (overall) is -30.0 points" in body
    assert "a significant drop from 60.0 (p = 0.000)" in body
    window = alert_window(NOW, rule.days)
    link = f"dashboard?metric=nps&channel=store&from={window.start.date()}&to={window.end.date()}"
    assert link in body  # the rule's filter and window, in the link


def test_a_webhook_of_our_own_is_signed_per_standard_webhooks_and_carries_aggregates_only(
    session: Session, tmp_path: Path, inbox: Inbox, hook: Receiver
) -> None:
    store_falls(session)
    rule = make_rule(session, addresses=[], webhook_url=hook.url, webhook_format="standard")

    assert send_alerts(session, alert_settings(tmp_path, inbox.port), NOW) == 1

    [post] = hook.received
    event = Webhook(WEBHOOK_SECRET).verify(post.body, post.headers)
    assert event["type"] == "metric.alert"
    data = event["data"]
    assert data["rule_id"] == rule.id and data["key"] == {"channel": "store"}
    assert (data["n"], round(data["value"], 1)) == (200, -30.0)
    assert set(data) == {
        "rule", "rule_id", "metric", "key", "kind", "n", "value", "low", "high", "previous",
        "p_value", "message", "link",
    }  # fmt: skip
    window = alert_window(NOW, rule.days)
    assert data["link"] == (
        "https://cx.example.com/dashboard?metric=nps&channel=store"
        f"&from={window.start.date()}&to={window.end.date()}"
    )


def test_a_channel_that_fails_is_retried_by_the_outbox_without_repeating_the_others(
    session: Session, tmp_path: Path, inbox: Inbox, hook: Receiver
) -> None:
    store_falls(session)
    make_rule(session, webhook_url=hook.url)
    settings = alert_settings(tmp_path, inbox.port)
    hook.answers = [503]

    assert send_alerts(session, settings, NOW) == 1  # the email; the chat answered 503
    assert send_alerts(session, settings, NOW + timedelta(minutes=60)) == 0  # queued, not again
    assert retry_due(session.get_bind(), settings, NOW + timedelta(minutes=61)).sent == 1
    assert len(inbox.messages) == 1
    assert len(hook.received) == 2


def test_users_hear_by_their_own_address_and_inactive_ones_do_not(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    from tests.accounts.factories import make_user

    store_falls(session)
    analyst, former = make_user(session, role="analyst"), make_user(session, role="analyst")
    make_rule(session, addresses=[], user_ids=[analyst.id, former.id])
    former.is_active = False
    session.flush()

    send_alerts(session, alert_settings(tmp_path, inbox.port), NOW)

    assert [m["To"] for m in inbox.messages] == [analyst.email]
