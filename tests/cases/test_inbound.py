"""Customers' emails in: a reply to an answer threads onto its case with the quoted text cut,
and reopens it; an email about nothing known opens a new case through the routing rules; a
message too broken to read is kept and refused; the same email twice is stored once."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import (
    Case,
    CaseLink,
    MalformedEmail,
    deliver_messages,
    merge,
    receive_email,
    reply,
    set_status,
)
from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.settings import Settings
from tests.cases.factories import (
    MONDAY_9AM_PARIS,
    directory,
    make_agent,
    make_case,
    make_department,
    make_routing_rule,
    make_team,
)
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox

ANNA = "anna@example.com"


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(
        update={"smtp_port": inbox.port, "support_address": "Acme Support <help@acme.test>"}
    )


@pytest.fixture
def agent(session: Session) -> User:
    return make_agent(session, make_department(session))


def anna_case(session: Session) -> Case:
    customer = make_customer(session, name="Anna Schmidt", email=ANNA)
    return make_case(session, department=None, text="My router keeps dropping", customer=customer)


def answered(
    session: Session, connection: Connection, settings: Settings, inbox: Inbox, agent: User
) -> tuple[Case, EmailMessage]:
    """A case the agent answered by email (now waiting on the customer), and that email."""
    case = anna_case(session)
    message = reply(directory(session), case.id, author=agent, body="Please restart the router.")
    session.flush()
    deliver_messages(connection, settings, [message.id])
    session.expire_all()
    return case, inbox.messages[-1]


def customer_reply(
    answer: EmailMessage,
    text: str,
    *,
    threaded: bool = True,
    to: str | None = None,
    message_id: str = "<r1@mail.example.com>",
) -> bytes:
    """What Anna's mail client sends: her words above the quoted answer."""
    mail = EmailMessage()
    mail["From"] = f"Anna Schmidt <{ANNA}>"
    mail["To"] = to or answer["Reply-To"]
    mail["Subject"] = f"Re: {answer['Subject']}"
    mail["Date"] = format_datetime(MONDAY_9AM_PARIS)
    mail["Message-ID"] = message_id
    if threaded:
        mail["In-Reply-To"] = answer["Message-ID"]
        mail["References"] = answer["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in answer.get_content().strip().splitlines())
    mail.set_content(
        f"{text}\n\nOn Mon, 30 Nov 2026 at 09:00, Acme Support <help@acme.test> wrote:\n{quoted}\n"
    )
    return bytes(mail)


def cases_of(session: Session, email: str) -> list[Case]:
    customer = session.scalar(select(Customer).where(Customer.email == email))
    assert customer is not None
    return list(session.scalars(select(Case).where(Case.customer_id == customer.id)))


def test_a_reply_threads_onto_its_case_without_the_quoted_answer_and_reopens_it(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case, answer = answered(session, connection, mail_settings, inbox, agent)
    assert session.get(Case, case.id).status == "waiting"  # type: ignore[union-attr]

    got = receive_email(
        directory(session),
        customer_reply(answer, "Restarted it, still dropping.\n\nAnna\n-- \nAnna Schmidt"),
        settings=mail_settings,
    )

    assert (got.case_id, got.opened, got.status) == (case.id, False, "open")
    interaction = session.get(Interaction, got.interaction_id)
    assert interaction is not None
    assert interaction.text == "Restarted it, still dropping.\n\nAnna"
    assert interaction.customer_id == case.customer_id
    assert (interaction.channel, interaction.direction) == ("email", "in")
    assert interaction.properties["email_message_id"] == "<r1@mail.example.com>"
    assert interaction.properties["subject"].startswith("Re: ")
    link = session.get(CaseLink, (case.id, interaction.id))
    assert link is not None and link.role == "message"


def test_our_next_answer_threads_under_the_customers_reply(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case, answer = answered(session, connection, mail_settings, inbox, agent)
    receive_email(
        directory(session), customer_reply(answer, "Still broken."), settings=mail_settings
    )
    again = reply(directory(session), case.id, author=agent, body="Sending a technician.")
    session.flush()

    deliver_messages(connection, mail_settings, [again.id])

    follow_up = inbox.messages[-1]
    assert follow_up["In-Reply-To"] == "<r1@mail.example.com>"
    assert follow_up["References"] == f"{answer['Message-ID']} <r1@mail.example.com>"


def test_the_address_alone_finds_a_solved_case_and_reopens_it(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case, answer = answered(session, connection, mail_settings, inbox, agent)
    set_status(directory(session), session.get(Case, case.id), "solved", actor=agent.email)  # type: ignore[arg-type]

    got = receive_email(
        directory(session),
        customer_reply(answer, "It broke again.", threaded=False),
        settings=mail_settings,
    )

    assert (got.case_id, got.status) == (case.id, "reopened")


def test_a_subject_tag_threads_only_for_the_cases_own_customer(
    session: Session, mail_settings: Settings
) -> None:
    case = anna_case(session)
    tagged = EmailMessage()
    tagged["From"] = ANNA
    tagged["To"] = "help@acme.test"
    tagged["Subject"] = f"More about [case #{case.id}]"
    tagged.set_content("One more thing.")
    stranger = EmailMessage()
    stranger["From"] = "mallory@example.net"
    stranger["To"] = "help@acme.test"
    stranger["Subject"] = f"About [case #{case.id}]"
    stranger.set_content("Let me in.")

    mine = receive_email(directory(session), bytes(tagged), settings=mail_settings)
    theirs = receive_email(directory(session), bytes(stranger), settings=mail_settings)

    assert mine.case_id == case.id and not mine.opened
    assert theirs.opened and theirs.case_id != case.id


def test_an_email_about_nothing_known_opens_a_case_where_the_rules_send_it(
    session: Session, mail_settings: Settings
) -> None:
    billing = make_team(session, "billing")
    make_routing_rule(session, billing, [{"field": "text", "op": "contains", "value": "invoice"}])
    mail = EmailMessage()
    mail["From"] = "Bob <bob@example.org>"
    mail["To"] = "help@acme.test"
    mail["Subject"] = "Charged twice"
    mail.set_content("My invoice shows the same charge twice.")

    got = receive_email(directory(session), bytes(mail), settings=mail_settings)

    assert got.opened
    [case] = cases_of(session, "bob@example.org")
    assert (case.id, case.origin, case.channel) == (got.case_id, "email", "email")
    assert (case.subject, case.department_id) == ("Charged twice", billing.id)


def test_the_same_email_twice_is_stored_once(session: Session, mail_settings: Settings) -> None:
    mail = EmailMessage()
    mail["From"] = "carol@example.org"
    mail["To"] = "help@acme.test"
    mail["Subject"] = "Hello"
    mail["Message-ID"] = "<once@example.org>"
    mail.set_content("Is anyone there?")

    first = receive_email(directory(session), bytes(mail), settings=mail_settings)
    second = receive_email(directory(session), bytes(mail), settings=mail_settings)

    assert second.duplicate and (second.interaction_id, second.case_id) == (
        first.interaction_id,
        first.case_id,
    )
    assert len(cases_of(session, "carol@example.org")) == 1
    stored = session.scalar(
        select(func.count()).select_from(Interaction).where(Interaction.type == "Email Received")
    )
    assert stored == 1


def test_an_html_email_keeps_its_words_and_drops_what_it_quotes(
    session: Session, mail_settings: Settings
) -> None:
    mail = EmailMessage()
    mail["From"] = "dan@example.org"
    mail["To"] = "help@acme.test"
    mail["Subject"] = "Delivery"
    mail.set_content(
        "<html><body><p>Where is my <b>parcel</b>?</p>"
        "<blockquote>You wrote: earlier stuff</blockquote></body></html>",
        subtype="html",
    )

    got = receive_email(directory(session), bytes(mail), settings=mail_settings)

    interaction = session.get(Interaction, got.interaction_id)
    assert interaction is not None and interaction.text == "Where is my parcel?"


def test_a_reply_to_a_merged_case_lands_on_the_case_it_was_merged_into(
    session: Session, connection: Connection, mail_settings: Settings, inbox: Inbox, agent: User
) -> None:
    case, answer = answered(session, connection, mail_settings, inbox, agent)
    d = directory(session)
    customer = session.get(Customer, case.customer_id)
    survivor = make_case(session, department=None, text="Router again", customer=customer)
    merge(d, survivor, session.get(Case, case.id), actor=agent.email)  # type: ignore[arg-type]

    got = receive_email(
        directory(session), customer_reply(answer, "Any news?"), settings=mail_settings
    )

    assert got.case_id == survivor.id


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"this is not an email at all", "no headers"),
        (b"From: nobody\r\nSubject: hi\r\n\r\nbody", "no valid From"),
        (
            b"From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nbroken",
            "parts cannot be found",
        ),
    ],
)
def test_a_malformed_message_is_kept_as_it_came_and_refused_with_the_reason(
    session: Session, mail_settings: Settings, raw: bytes, reason: str
) -> None:
    with pytest.raises(MalformedEmail, match=reason) as refused:
        receive_email(directory(session), raw, settings=mail_settings)

    kept = mail_settings.data_dir / "inbound" / "failed" / f"{refused.value.extra['kept']}.eml"
    assert kept.read_bytes() == raw
    assert refused.value.status == 422
