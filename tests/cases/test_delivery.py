"""Answers reach the customer: by email with headers that thread them in the customer's mail
client, or through the signed case webhook; a refusal or an unreachable server ends in a
failed message agents can see, and nothing is ever sent twice."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from cxloop.accounts import User
from cxloop.cases import (
    DELIVERY_RUNS,
    Case,
    CaseEvent,
    CaseMessage,
    deliver_messages,
    link,
    reply,
    retry_message,
)
from cxloop.customers import Customer
from cxloop.errors import Conflict
from cxloop.settings import Settings
from tests.cases.factories import (
    directory,
    make_agent,
    make_case,
    make_department,
    make_interaction,
)
from tests.customers.factories import make_customer
from tests.outreach.http_receiver import WEBHOOK_SECRET, Receiver, receiver
from tests.outreach.smtp_server import Inbox, free_port


def no_wait(_seconds: float) -> None:
    """Back-off without the waiting."""


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(
        update={"smtp_port": inbox.port, "support_address": "Acme Support <help@acme.test>"}
    )


@pytest.fixture
def agent(session: Session) -> User:
    return make_agent(session, make_department(session))


def email_case(
    session: Session, *, email: str | None = "anna@example.com", **fields: object
) -> Case:
    customer = make_customer(session, name="Anna Schmidt", email=email)
    return make_case(session, department=None, text="My router keeps dropping", customer=customer)


def answer(session: Session, case: Case, agent: User, body: str = "Please restart it.") -> int:
    return reply(directory(session), case.id, author=agent, body=body).id


def events(session: Session, case: Case, kind: str) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
        )
    )


def message(session: Session, message_id: int) -> CaseMessage:
    session.expire_all()
    found = session.get(CaseMessage, message_id)
    assert found is not None
    return found


def test_an_email_answer_threads_under_the_customers_last_email(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session)
    earlier = make_interaction(
        session,
        customer=session.get(Customer, case.customer_id),
        properties={"email_message_id": "<2@mail.example.com>", "email_references": ["<1@x>"]},
        text="It dropped again",
    )
    link(session, case, earlier.id, role="message", actor="anna@example.com")
    message_id = answer(session, case, agent, "Please restart the router.\nAgnes")

    report = deliver_messages(connection, mail_settings, [message_id])

    assert report.sent == 1
    [sent] = inbox.messages
    stored = message(session, message_id)
    assert stored.status == "sent" and stored.sent_at is not None and stored.attempts == 1
    assert sent["Message-ID"] == stored.email_message_id
    assert sent["To"] == "Anna Schmidt <anna@example.com>"
    assert sent["From"] == "Acme Support <help@acme.test>"
    assert sent["Reply-To"] == f"Acme Support <help+{case.reply_token}@acme.test>"
    assert sent["In-Reply-To"] == "<2@mail.example.com>"
    assert sent["References"] == "<1@x> <2@mail.example.com>"
    assert sent["Subject"] == f"Re: {case.subject} [case #{case.id}]"
    assert sent.get_content().strip() == "Please restart the router.\nAgnes"


def test_without_an_email_from_the_customer_answers_thread_on_each_other(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session)
    first = answer(session, case, agent, "First answer")
    deliver_messages(connection, mail_settings, [first])
    second = answer(session, case, agent, "Second answer")
    deliver_messages(connection, mail_settings, [second])

    one, two = inbox.messages
    assert "In-Reply-To" not in one
    assert two["In-Reply-To"] == one["Message-ID"] == message(session, first).email_message_id


def test_a_message_is_sent_once_however_often_delivery_runs(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session)
    message_id = answer(session, case, agent)

    first = deliver_messages(connection, mail_settings, [message_id, message_id])
    again = deliver_messages(connection, mail_settings, [message_id])

    assert (first.sent, again.sent, again.skipped) == (1, 0, 1)
    assert len(inbox.messages) == 1


def test_a_customer_without_an_email_address_fails_with_the_reason(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session, email=None)
    message_id = answer(session, case, agent)

    report = deliver_messages(connection, mail_settings, [message_id])

    assert report.failed == 1 and inbox.messages == []
    stored = message(session, message_id)
    assert stored.status == "failed"
    assert stored.error is not None and "no email address" in stored.error
    [failure] = events(session, case, "delivery_failed")
    assert failure.data["message_id"] == message_id and "no email address" in failure.data["error"]


def test_a_refused_address_fails_at_once(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session, email="gone@example.com")
    inbox.refuse.add("gone@example.com")
    message_id = answer(session, case, agent)

    deliver_messages(connection, mail_settings, [message_id])

    stored = message(session, message_id)
    assert stored.status == "failed" and stored.error is not None and "550" in stored.error


def test_an_unreachable_mail_server_is_retried_run_after_run_then_the_message_fails(
    session: Session, connection: Connection, settings: Settings, agent: User
) -> None:
    nowhere = settings.model_copy(update={"smtp_port": free_port(), "smtp_retries": 1})
    case = email_case(session)
    message_id = answer(session, case, agent)

    for _ in range(DELIVERY_RUNS - 1):
        report = deliver_messages(connection, nowhere, [message_id], sleep=no_wait)
        assert report.deferred == 1
        waiting = message(session, message_id)
        assert waiting.status == "queued" and "will retry" in (waiting.error or "")
    deliver_messages(connection, nowhere, [message_id], sleep=no_wait)

    stored = message(session, message_id)
    assert stored.status == "failed" and stored.attempts == DELIVERY_RUNS
    assert stored.error is not None and stored.error.startswith(f"gave up after {DELIVERY_RUNS}")
    assert len(events(session, case, "delivery_failed")) == 1


def test_a_failed_answer_can_be_sent_again(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case = email_case(session, email=None)
    message_id = answer(session, case, agent)
    deliver_messages(connection, mail_settings, [message_id])
    customer = session.get(Customer, case.customer_id)
    assert customer is not None
    customer.email = "anna@example.com"
    session.flush()

    retry_message(session, message_id, actor=agent.email)
    deliver_messages(connection, mail_settings, [message_id])

    assert message(session, message_id).status == "sent"
    assert [m["To"] for m in inbox.messages] == ["Anna Schmidt <anna@example.com>"]
    with pytest.raises(Conflict, match="only a failed one"):
        retry_message(session, message_id, actor=agent.email)


@pytest.fixture
def connector() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


def hook_settings(settings: Settings, connector: Receiver) -> Settings:
    return settings.model_copy(
        update={
            "case_webhook_url": connector.url,
            "case_webhook_secret": WEBHOOK_SECRET,
            "smtp_retries": 1,
        }
    )


def test_a_chat_answer_is_posted_signed_with_what_the_connector_needs(
    session: Session, connection: Connection, settings: Settings, connector: Receiver, agent: User
) -> None:
    customer = make_customer(
        session,
        name="Ben",
        phone="+14155550100",
        identities=[("social", "@ben", "twitter")],
    )
    case = make_case(session, department=None, text="Hi?", customer=customer, channel="chat")
    message_id = answer(session, case, agent, "Hello Ben, it is fixed.")

    report = deliver_messages(connection, hook_settings(settings, connector), [message_id])

    assert report.sent == 1
    [post] = connector.received
    event = Webhook(WEBHOOK_SECRET).verify(post.body, post.headers)
    assert event == orjson.loads(post.body)
    assert post.headers["webhook-id"] == f"case-message-{message_id}"
    data = event["data"]
    assert event["type"] == "case.message"
    assert (data["case_id"], data["message_id"], data["channel"]) == (case.id, message_id, "chat")
    assert data["text"] == "Hello Ben, it is fixed."
    assert data["customer"]["phone"] == "+14155550100"
    assert {"kind": "social", "namespace": "twitter", "value": "@ben"} in data["customer"][
        "identities"
    ]
    assert data["author"]["email"] == agent.email
    assert message(session, message_id).recipient == "+14155550100"


def test_a_failing_connector_is_retried_with_back_off_then_the_message_shows_failed(
    session: Session, connection: Connection, settings: Settings, connector: Receiver, agent: User
) -> None:
    connector.answers = [500] * (2 * DELIVERY_RUNS)
    case = make_case(
        session, department=None, text="Hi?", customer=make_customer(session), channel="chat"
    )
    message_id = answer(session, case, agent)
    pauses: list[float] = []

    for _ in range(DELIVERY_RUNS):
        deliver_messages(
            connection, hook_settings(settings, connector), [message_id], sleep=pauses.append
        )

    assert len(connector.received) == 2 * DELIVERY_RUNS
    assert {r.headers["webhook-id"] for r in connector.received} == {f"case-message-{message_id}"}
    assert pauses == [0.5] * DELIVERY_RUNS
    stored = message(session, message_id)
    assert stored.status == "failed" and stored.error is not None and "500" in stored.error
    [failure] = events(session, case, "delivery_failed")
    assert "500" in failure.data["error"]


def test_answers_on_chat_without_a_connector_fail_saying_what_to_set(
    session: Session, connection: Connection, settings: Settings, agent: User
) -> None:
    case = make_case(
        session, department=None, text="Hi?", customer=make_customer(session), channel="sms"
    )
    message_id = answer(session, case, agent)

    deliver_messages(connection, settings, [message_id])

    assert "CXLOOP_CASE_WEBHOOK_URL" in (message(session, message_id).error or "")
