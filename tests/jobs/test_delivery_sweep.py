"""``cases.delivery_sweep``: every few minutes the worker picks up answers committed while the
job queue could not be reached (and sends them), and reports those a stopped sender left
half-sent, in the case's history and the log."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, update
from sqlalchemy.orm import Session

from cxloop.cases import CaseMessage, reply
from cxloop.jobs import JOBS, Queue, install, uninstall
from cxloop.jobs.delivery import DELIVERY_SWEEP
from cxloop.store.uow import unit_of_work
from cxloop.types import utcnow
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox
from tests.understanding.factories import settings_for


def test_the_sweep_runs_every_few_minutes_by_itself() -> None:
    job = JOBS[DELIVERY_SWEEP.name]
    assert job.every_minutes is not None and job.every_minutes <= 5


def test_an_answer_committed_while_the_queue_was_down_is_sent_by_the_sweep(
    session: Session, connection: Connection, tmp_path: Path, inbox: Inbox
) -> None:
    agent = make_agent(session, make_department(session))
    customer = make_customer(session, name="Carla Diaz", email="carla@example.com")
    case = make_case(session, department=None, text="Broken screen", customer=customer)
    down = install(Queue(settings_for(tmp_path, jobs_url="redis://127.0.0.1:1/0"), connection))
    try:
        with unit_of_work(connection) as work:
            message = reply(directory(work), case.id, author=agent, body="A new one is coming.")
    finally:
        uninstall(down)
    assert inbox.messages == []
    session.execute(
        update(CaseMessage)
        .where(CaseMessage.id == message.id)
        .values(updated_at=utcnow() - timedelta(minutes=2))
    )

    up = Queue(settings_for(tmp_path, jobs_url="memory", smtp_port=inbox.port), connection)
    install(up)
    try:
        up.run(DELIVERY_SWEEP.name, {})
    finally:
        uninstall(up)

    [sent] = inbox.messages
    assert sent["To"] == "Carla Diaz <carla@example.com>"
    session.expire_all()
    stored = session.get(CaseMessage, message.id)
    assert stored is not None and stored.status == "sent"


def test_an_answer_left_half_sent_is_reported_in_the_log(
    session: Session, connection: Connection, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    agent = make_agent(session, make_department(session))
    case = make_case(session, department=None, text="Hi", customer=make_customer(session))
    message = reply(directory(session), case.id, author=agent, body="Hello")
    session.execute(
        update(CaseMessage)
        .where(CaseMessage.id == message.id)
        .values(status="sending", attempts=1, updated_at=utcnow() - timedelta(minutes=30))
    )
    queue = Queue(settings_for(tmp_path, jobs_url="memory"), connection)

    with caplog.at_level(logging.ERROR, logger="cxloop.jobs.delivery"):
        queue.run(DELIVERY_SWEEP.name, {})

    assert [r.getMessage() for r in caplog.records] == [
        f"case answer {message.id} failed: delivery outcome unknown: the sender stopped"
    ]
    session.expire_all()
    stored = session.get(CaseMessage, message.id)
    assert stored is not None and stored.status == "failed"
