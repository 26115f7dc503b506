"""``POST /api/v1/inbound/email``: an email provider's inbound webhook (or anything holding a
source's write key) posts raw MIME; the answer comes once it is stored on its case."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.cases import Case, CaseStatus, deliver_messages, reply
from cxloop.interactions import Interaction, create_source
from cxloop.settings import Settings
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox

URL = "/api/v1/inbound/email"


@pytest.fixture
def write_key(session: Session) -> tuple[str, str]:
    _source, key = create_source(session, name="mail provider", kind="webhook")
    return key, ""


def email(sender: str, subject: str, text: str, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@localhost.test"
    mail["Subject"] = subject
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(text)
    return bytes(mail)


def test_a_reply_posted_as_raw_mime_threads_onto_its_case(
    client: TestClient,
    session: Session,
    connection: Connection,
    settings: Settings,
    inbox: Inbox,
    write_key: tuple[str, str],
) -> None:
    mail_settings = settings.model_copy(update={"smtp_port": inbox.port})
    agent = make_agent(session, make_department(session))
    customer = make_customer(session, email="erin@example.com")
    case = make_case(session, department=None, text="Refund?", customer=customer)
    message = reply(directory(session), case.id, author=agent, body="Refunded today.")
    session.flush()
    deliver_messages(connection, mail_settings, [message.id])
    [answer] = inbox.messages
    raw = email(
        "erin@example.com",
        f"Re: {answer['Subject']}",
        f"Got it, thanks!\n\nOn Monday, Support wrote:\n> {answer.get_content().strip()}",
        In_Reply_To=answer["Message-ID"],
    )

    response = client.post(
        URL, content=raw, headers={"Content-Type": "message/rfc822"}, auth=write_key
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["case_id"], body["opened"], body["status"]) == (case.id, False, "open")
    interaction = session.get(Interaction, body["interaction_id"])
    assert interaction is not None and interaction.text == "Got it, thanks!"


def test_json_and_form_posts_as_providers_send_them_open_new_cases(
    client: TestClient, session: Session, write_key: tuple[str, str]
) -> None:
    as_json = client.post(
        URL,
        json={"raw": email("fay@example.org", "Login fails", "I cannot sign in.").decode()},
        auth=write_key,
    )
    as_form = client.post(
        URL,
        files={"email": (None, email("gil@example.org", "Broken link", "The link 404s."))},
        auth=write_key,
    )

    assert as_json.status_code == as_form.status_code == 200
    assert as_json.json()["opened"] and as_form.json()["opened"]
    opened = session.get(Case, as_json.json()["case_id"])
    assert opened is not None and opened.subject == "Login fails"
    assert opened.status == CaseStatus.new.value and opened.origin == "email"


def test_the_same_email_posted_twice_is_stored_once(
    client: TestClient, session: Session, write_key: tuple[str, str]
) -> None:
    raw = email("hal@example.org", "Hi", "Hello?", Message_ID="<twice@example.org>")
    headers = {"Content-Type": "message/rfc822"}

    first = client.post(URL, content=raw, headers=headers, auth=write_key).json()
    second = client.post(URL, content=raw, headers=headers, auth=write_key).json()

    assert second["duplicate"] and second["case_id"] == first["case_id"]
    found = session.scalars(
        select(Interaction.id).where(
            Interaction.customer_id.is_not(None), Interaction.text == "Hello?"
        )
    ).all()
    assert len(found) == 1


def test_a_malformed_message_is_kept_and_answered_422(
    client: TestClient, settings: Settings, write_key: tuple[str, str]
) -> None:
    raw = b"Subject: no sender\r\n\r\nwho am I?"

    response = client.post(
        URL, content=raw, headers={"Content-Type": "message/rfc822"}, auth=write_key
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "no valid From" in problem["detail"]
    kept = settings.data_dir / "inbound" / "failed" / f"{problem['kept']}.eml"
    assert kept.read_bytes() == raw


def test_without_a_valid_write_key_nothing_is_read(client: TestClient) -> None:
    raw = email("ivy@example.org", "Hi", "Hello")
    headers = {"Content-Type": "message/rfc822"}

    assert client.post(URL, content=raw, headers=headers).status_code == 401
    assert client.post(URL, content=raw, headers=headers, auth=("wk_nope", "")).status_code == 401
