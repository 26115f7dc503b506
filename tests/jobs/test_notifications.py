"""``cases.notify``: the assignee hears of a new case by email; deadlines and escalations reach
the assignee, the department's lead and the team's chat webhook; a webhook that fails is the
job system's to retry and never undoes the case change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import Case, DepartmentSetup, assign, get_case, record
from cxloop.jobs import NOTIFY, Queue, install
from cxloop.outreach import WebhookUnavailable
from cxloop.store.uow import unit_of_work
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.outreach.http_receiver import Receiver, receiver
from tests.outreach.smtp_server import Inbox
from tests.understanding.factories import settings_for


@pytest.fixture
def chat() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


@pytest.fixture
def queue(connection: Connection, tmp_path: Path, inbox: Inbox, chat: Receiver) -> Queue:
    settings = settings_for(
        tmp_path,
        jobs_url="memory",
        smtp_port=inbox.port,
        smtp_retries=0,
        notify_webhook_url=chat.url,
        public_url="https://cx.example.com",
    )
    return install(Queue(settings, connection))


def team(session: Session) -> tuple[Case, User, User]:
    """A case assigned to an agent, in a department with a lead."""
    department = make_department(session)
    agent = make_agent(session, department)
    lead = make_agent(session, department)
    session.add(DepartmentSetup(department_id=department.id, lead_id=lead.id))
    case = make_case(session, department=department, text="Invoice twice")
    case.assignee_id = agent.id
    session.flush()
    return case, agent, lead


def test_an_agent_is_emailed_when_a_case_is_given_to_them(
    session: Session, connection: Connection, queue: Queue, inbox: Inbox
) -> None:
    case, agent, lead = team(session)

    with unit_of_work(connection) as work:
        assign(directory(work), get_case(work, case.id), lead.id, actor=agent.email)

    [notice] = inbox.messages
    assert notice["To"] == lead.email
    assert notice["Subject"] == f"Case #{case.id} is yours: {case.subject}"
    assert notice["Auto-Submitted"] == "auto-generated"
    assert f"https://cx.example.com/cases/{case.id}" in notice.get_content()


def test_taking_a_case_yourself_tells_nobody(
    session: Session, connection: Connection, queue: Queue, inbox: Inbox
) -> None:
    case, _agent, lead = team(session)

    with unit_of_work(connection) as work:
        assign(directory(work), get_case(work, case.id), lead.id, actor=lead.email)

    assert inbox.messages == []


def test_an_escalation_reaches_assignee_lead_and_chat_once(
    session: Session, queue: Queue, inbox: Inbox, chat: Receiver
) -> None:
    case, agent, lead = team(session)
    record(
        session, case, "sla_breach", "system", clock="resolution", due="2026-12-01T09:00:00+00:00"
    )
    record(session, case, "escalated", "system", clock="resolution", actions=["priority urgent"])
    session.flush()

    for kind in ("sla_breach", "escalated"):
        for audience in ("assignee", "lead", "channel"):
            queue.run(NOTIFY.name, {"case_id": case.id, "kind": kind, "audience": audience})

    assert sorted(m["To"] for m in inbox.messages) == sorted([agent.email, lead.email])
    assert {m["Subject"] for m in inbox.messages} == {
        f"Case #{case.id} escalated: resolution deadline missed"
    }
    [post] = chat.received
    text = orjson.loads(post.body)["text"]
    assert text.startswith(f"Case #{case.id} escalated: resolution deadline missed\n")
    assert "Done: priority urgent" in text
    assert post.headers["content-type"] == "application/json"


def test_a_department_webhook_is_used_before_the_company_one(
    session: Session, queue: Queue, chat: Receiver
) -> None:
    case, _agent, _lead = team(session)
    with receiver() as own:
        setup = session.get(DepartmentSetup, case.department_id)
        assert setup is not None
        setup.notify_webhook_url = own.url
        record(
            session,
            case,
            "sla_warning",
            "system",
            clock="first_response",
            due="2026-12-01T09:00:00+00:00",
        )
        session.flush()

        queue.run(NOTIFY.name, {"case_id": case.id, "kind": "sla_warning", "audience": "channel"})

        assert len(own.received) == 1 and chat.received == []
        assert (
            "first response due Tue 01 Dec 09:00 (UTC)"
            in orjson.loads(own.received[0].body)["text"]
        )


def test_a_failing_chat_webhook_is_left_to_the_job_systems_retries(
    session: Session, queue: Queue, chat: Receiver
) -> None:
    case, _agent, _lead = team(session)
    record(
        session, case, "sla_warning", "system", clock="resolution", due="2026-12-01T09:00:00+00:00"
    )
    session.flush()
    chat.answers = [500]

    with pytest.raises(WebhookUnavailable, match="500"):
        queue.run(NOTIFY.name, {"case_id": case.id, "kind": "sla_warning", "audience": "channel"})
    queue.run(NOTIFY.name, {"case_id": case.id, "kind": "sla_warning", "audience": "channel"})

    assert len(chat.received) == 2
