"""``cases.deliver``: an answer committed by an agent is sent by the job system, and a server
that cannot be reached makes the job run again later instead of losing the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxloop.cases import CaseMessage, reply
from cxloop.jobs import DELIVER, Queue, install
from cxloop.jobs.delivery import DeliveryDeferred
from cxloop.settings import Settings
from cxloop.store.uow import unit_of_work
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox, free_port
from tests.understanding.factories import settings_for


def test_an_answer_is_emailed_once_the_reply_is_committed(
    session: Session, connection: Connection, tmp_path: Path, inbox: Inbox
) -> None:
    install(Queue(settings_for(tmp_path, jobs_url="memory", smtp_port=inbox.port), connection))
    agent = make_agent(session, make_department(session))
    customer = make_customer(session, email="carla@example.com")
    case = make_case(session, department=None, text="Broken screen", customer=customer)

    with unit_of_work(connection) as work:
        message = reply(directory(work), case.id, author=agent, body="A new one is on its way.")
        assert inbox.messages == []  # nothing leaves before the commit

    [sent] = inbox.messages
    assert sent["To"].endswith("<carla@example.com>")
    assert sent.get_content().strip() == "A new one is on its way."
    session.expire_all()
    stored = session.get(CaseMessage, message.id)
    assert stored is not None and stored.status == "sent"


def test_the_job_runs_again_while_the_server_cannot_be_reached(
    session: Session, connection: Connection, settings: Settings
) -> None:
    down = settings.model_copy(update={"smtp_port": free_port(), "smtp_retries": 0})
    queue = Queue(down.model_copy(update={"jobs_url": "memory"}), connection)
    agent = make_agent(session, make_department(session))
    case = make_case(
        session, department=None, text="Hi", customer=make_customer(session, email="d@example.com")
    )
    message = reply(directory(session), case.id, author=agent, body="Hello")
    session.flush()

    with pytest.raises(DeliveryDeferred, match="1 answers wait"):
        queue.run(DELIVER.name, {"message_ids": [message.id]})
    session.expire_all()
    waiting = session.get(CaseMessage, message.id)
    assert waiting is not None and waiting.status == "queued" and waiting.attempts == 1
