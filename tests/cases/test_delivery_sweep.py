"""The delivery sweep finds the answers no run of the delivery job will look at again: one
committed while the job queue could not be reached is queued again; one a stopped sender left
``sending`` is failed with the reason, for a person to decide, and never sent again by itself."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import (
    SENDER_STOPPED,
    CaseEvent,
    CaseMessage,
    deliver_messages,
    reply,
    retry_message,
    sweep_messages,
)
from cxloop.settings import Settings
from cxloop.types import utcnow
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox


def answered(session: Session, agent: User, email: str | None = None) -> CaseMessage:
    customer = make_customer(session, name="Anna Schmidt", email=email)
    case = make_case(session, department=None, text="My router keeps dropping", customer=customer)
    return reply(directory(session), case.id, author=agent, body="Please restart it.")


def left(
    session: Session, message: CaseMessage, status: str, attempts: int, ago: timedelta
) -> None:
    """The message as a fault left it: in ``status`` since ``ago``."""
    session.execute(
        update(CaseMessage)
        .where(CaseMessage.id == message.id)
        .values(status=status, attempts=attempts, updated_at=utcnow() - ago)
    )
    session.expire_all()


def test_an_answer_never_handed_to_the_queue_is_queued_again_after_a_minute(
    session: Session,
) -> None:
    agent = make_agent(session, make_department(session))
    lost, fresh = answered(session, agent), answered(session, agent)
    left(session, lost, "queued", 0, timedelta(minutes=2))
    left(session, fresh, "queued", 0, timedelta(seconds=20))

    found = sweep_messages(session, now=utcnow())

    assert (found.requeued, found.stopped) == ([lost.id], [])


def test_an_answer_waiting_for_its_next_run_is_left_to_that_run_unless_the_run_was_lost(
    session: Session,
) -> None:
    agent = make_agent(session, make_department(session))
    deferred, orphaned = answered(session, agent), answered(session, agent)
    left(session, deferred, "queued", 1, timedelta(minutes=3))  # the job retries after 2
    left(session, orphaned, "queued", 2, timedelta(minutes=11))

    assert sweep_messages(session, now=utcnow()).requeued == [orphaned.id]


def test_an_answer_left_sending_by_a_stopped_sender_fails_with_the_reason(
    session: Session,
) -> None:
    agent = make_agent(session, make_department(session))
    stuck, busy = answered(session, agent), answered(session, agent)
    left(session, stuck, "sending", 1, timedelta(minutes=16))
    left(session, busy, "sending", 1, timedelta(minutes=5))

    found = sweep_messages(session, now=utcnow())

    assert (found.requeued, found.stopped) == ([], [stuck.id])
    failed = session.get(CaseMessage, stuck.id)
    assert failed is not None
    assert (failed.status, failed.error) == (
        "failed",
        "delivery outcome unknown: the sender stopped",
    )
    history = session.scalars(
        select(CaseEvent).where(
            CaseEvent.case_id == stuck.case_id, CaseEvent.kind == "delivery_failed"
        )
    ).all()
    assert [(e.actor, e.data["message_id"], e.data["error"]) for e in history] == [
        ("system", stuck.id, SENDER_STOPPED)
    ]
    still = session.get(CaseMessage, busy.id)
    assert still is not None and still.status == "sending"
    assert sweep_messages(session, now=utcnow()).stopped == []  # reported once


def test_an_answer_whose_outcome_is_unknown_is_sent_again_only_when_a_person_says_so(
    session: Session, connection: Connection, settings: Settings, inbox: Inbox
) -> None:
    mail = settings.model_copy(update={"smtp_port": inbox.port})
    agent = make_agent(session, make_department(session))
    stuck = answered(session, agent, email="anna@example.com")
    left(session, stuck, "sending", 1, timedelta(minutes=20))
    sweep_messages(session, now=utcnow())

    deliver_messages(connection, mail, [stuck.id])
    assert inbox.messages == []

    retry_message(session, stuck.id, actor=agent.email)
    deliver_messages(connection, mail, [stuck.id])
    assert [m["To"] for m in inbox.messages] == ["Anna Schmidt <anna@example.com>"]
