"""The outbox: an alert or report message whose sending failed is tried again every minute
once its back-off is over (1 min, 5 min, 15 min, 1 h, 3 h, 6 h), then given up; it goes out
at most once, even when a worker stops half-way; and the alerts page shows what failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.insights import (
    BACKOFF,
    Delivery,
    Dispatch,
    retry_due,
    send_alerts,
)
from cxloop.jobs import JOBS
from tests.accounts.factories import make_user
from tests.insights.alert_factories import NOW, alert_settings, make_rule, store_falls
from tests.outreach.http_receiver import Receiver, receiver
from tests.outreach.smtp_server import Inbox
from tests.web.helpers import sign_in

TEAM = "cx-team@example.com"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def _deliveries(session: Session) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_an_email_the_server_defers_goes_out_once_after_a_minute(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    make_rule(session)
    settings = alert_settings(tmp_path, inbox.port)
    inbox.defer = {TEAM}  # a 451 the first time, accepted the next

    assert send_alerts(session, settings, NOW) == 0
    [queued] = _deliveries(session)
    assert (queued.channel, queued.status, queued.attempts) == ("email", "pending", 1)
    assert queued.next_attempt_at == NOW + timedelta(minutes=1)
    assert "451" in queued.last_error or queued.last_error

    bind = session.get_bind()
    assert retry_due(bind, settings, NOW + timedelta(seconds=30)).sent == 0  # still waiting
    assert inbox.messages == []
    assert retry_due(bind, settings, NOW + timedelta(minutes=1)).sent == 1
    assert [m["To"] for m in inbox.messages] == [TEAM]
    assert "Alert: NPS under zero" in inbox.messages[0]["Subject"]

    # Later runs, the hourly check's included, send nothing more.
    assert retry_due(bind, settings, NOW + timedelta(hours=1)).sent == 0
    assert send_alerts(session, settings, NOW + timedelta(hours=1)) == 0
    assert len(inbox.messages) == 1
    assert _deliveries(session)[0].status == "sent"
    assert session.scalars(select(Dispatch.channel)).all() == ["email"]


def test_a_webhook_that_keeps_failing_backs_off_then_is_given_up_and_shown(
    client: TestClient, session: Session, tmp_path: Path, inbox: Inbox, hook: Receiver
) -> None:
    store_falls(session)
    make_rule(session, addresses=[], webhook_url=hook.url)
    settings = alert_settings(tmp_path, inbox.port)
    hook.answers = [503] * 20
    bind = session.get_bind()

    assert send_alerts(session, settings, NOW) == 0
    moment, waits = NOW, []
    for _ in BACKOFF:
        [delivery] = _deliveries(session)
        assert delivery.status == "pending" and delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - moment)
        moment = delivery.next_attempt_at
        assert retry_due(bind, settings, moment - timedelta(seconds=1)).sent == 0  # not yet
        retry_due(bind, settings, moment)
    assert waits == list(BACKOFF)
    [given_up] = _deliveries(session)
    assert (given_up.status, given_up.attempts) == ("failed", 1 + len(BACKOFF))
    assert len(hook.received) == 1 + len(BACKOFF)
    assert retry_due(bind, settings, moment + timedelta(days=1)).sent == 0
    assert len(hook.received) == 1 + len(BACKOFF)

    assert sign_in(client, make_user(session, role=Role.viewer).email).status_code == 303
    html = client.get("/alerts").text
    assert "Messages not delivered" in html and "Alert: NPS under zero" in html
    assert "<strong>failed</strong>, not retried" in html and "503" in html


def test_a_bounced_address_is_given_up_at_once(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    make_rule(session)
    inbox.refuse = {TEAM}

    assert send_alerts(session, alert_settings(tmp_path, inbox.port), NOW) == 0
    [delivery] = _deliveries(session)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)


def test_a_message_a_stopped_worker_was_sending_is_never_sent_again(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    store_falls(session)
    make_rule(session)
    settings = alert_settings(tmp_path, inbox.port)
    inbox.defer = {TEAM}
    send_alerts(session, settings, NOW)
    # A worker claimed it at NOW + 1 min and stopped before it could record the outcome.
    session.execute(
        update(Delivery).values(status="sending", updated_at=NOW + timedelta(minutes=1))
    )
    bind = session.get_bind()

    assert retry_due(bind, settings, NOW + timedelta(minutes=5)).failed == 0  # may still be busy
    assert _deliveries(session)[0].status == "sending"
    done = retry_due(bind, settings, NOW + timedelta(hours=1))
    assert (done.sent, done.failed) == (0, 1)
    [delivery] = _deliveries(session)
    assert delivery.status == "failed" and "cannot arrive twice" in delivery.last_error
    assert inbox.messages == []
    assert send_alerts(session, settings, NOW + timedelta(hours=1)) == 0  # nor by the check


def test_the_outbox_runs_every_minute_in_the_job_system() -> None:
    job = JOBS["insights.deliveries"]
    assert job.every_minutes == 1


def _finished(session: Session, status: str, age: timedelta, key: str) -> Delivery:
    at = NOW - age
    delivery = Delivery(
        subject="alert", owner_id=1, group_key=key, period="2026-01-01", channel="email",
        title=key, payload={"kind": "email", "to": [TEAM]}, status=status,
        next_attempt_at=NOW + timedelta(hours=1) if status == "pending" else None,
        created_at=at, updated_at=at,
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery


def test_finished_messages_leave_the_outbox_and_waiting_ones_stay(
    session: Session, tmp_path: Path, inbox: Inbox
) -> None:
    for status, days in (("sent", 8), ("sent", 3), ("failed", 100), ("failed", 30)):
        _finished(session, status, timedelta(days=days), f"{status} {days} days ago")
    _finished(session, "pending", timedelta(days=200), "waiting for its next attempt")

    done = retry_due(session.get_bind(), alert_settings(tmp_path, inbox.port), NOW)

    assert done.pruned == 2
    assert [d.title for d in _deliveries(session)] == [
        "sent 3 days ago",
        "failed 30 days ago",
        "waiting for its next attempt",
    ]
