"""``cxloop inbound-smtp``'s handler on a real aiosmtpd server: a customer's email is stored on
a case before the sender hears 250; other mailboxes are refused at RCPT, a broken message
gets 550 with the reason, and a database that cannot take it gets 451 (try again). A bounce
report for a survey invitation marks it bounced, as the bounces API does, and opens no case."""

from __future__ import annotations

import itertools
import smtplib
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cxloop.cases import Case
from cxloop.cli.inbound import InboundHandler
from cxloop.customers import Customer
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work
from cxloop.surveys import FatigueRules, Invitation, OptOut, deliver_invitations, invite
from tests.customers.factories import make_customer
from tests.outreach.dsn import dsn
from tests.outreach.smtp_server import Inbox, free_port
from tests.store.databases import committed_url_fixture  # noqa: F401 - fixture
from tests.surveys.factories import make_survey


@pytest.fixture
def engine(committed_url: str) -> Iterator[Engine]:
    engine = make_engine(committed_url)
    yield engine
    engine.dispose()


def serve(engine: Engine, settings: Settings) -> Controller:
    port = free_port()
    controller = Controller(InboundHandler(engine, settings), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


@pytest.fixture
def smtp(engine: Engine, tmp_path: Path) -> Iterator[smtplib.SMTP]:
    settings = Settings(data_dir=tmp_path, secret_key="k", support_address="help@acme.test")
    controller = serve(engine, settings)
    with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
        yield client
    controller.stop()


def mail(sender: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "help@acme.test"
    message["Subject"] = "Order 1042 never arrived"
    message.set_content(text)
    return message


def test_an_email_is_on_a_case_before_the_sender_hears_250(
    smtp: smtplib.SMTP, engine: Engine
) -> None:
    smtp.send_message(mail("jo@example.org", "Where is it?"), to_addrs=["help@acme.test"])

    with Session(engine) as session:
        customer = session.scalar(select(Customer).where(Customer.email == "jo@example.org"))
        assert customer is not None
        [case] = session.scalars(select(Case).where(Case.customer_id == customer.id))
        assert (case.subject, case.origin) == ("Order 1042 never arrived", "email")


def test_other_mailboxes_are_refused_at_rcpt(smtp: smtplib.SMTP) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.send_message(mail("jo@example.org", "Hi"), to_addrs=["ceo@acme.test"])


def test_a_broken_message_gets_550_with_the_reason(smtp: smtplib.SMTP, tmp_path: Path) -> None:
    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail("x@example.org", ["help+abc@acme.test"], b"Subject: who?\r\n\r\nnobody")

    assert refused.value.smtp_code == 550
    assert b"no valid From" in refused.value.smtp_error
    assert len(list((tmp_path / "inbound" / "failed").glob("*.eml"))) == 1


def test_a_database_that_cannot_store_it_makes_the_sender_try_again(tmp_path: Path) -> None:
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'cxloop.db'}")
    settings = Settings(data_dir=tmp_path, secret_key="k", support_address="help@acme.test")
    controller = serve(unreachable, settings)
    try:
        with (
            smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client,
            pytest.raises(smtplib.SMTPDataError) as deferred,
        ):
            client.send_message(mail("jo@example.org", "Hi"), to_addrs=["help@acme.test"])
    finally:
        controller.stop()
        unreachable.dispose()

    assert deferred.value.smtp_code == 451


BOUNCES_TO = "surveys@acme.test"
_people = itertools.count(1)


@pytest.fixture
def survey_email(
    engine: Engine, tmp_path: Path, inbox: Inbox
) -> tuple[Settings, int, EmailMessage]:
    """An invitation really emailed to a new customer: the settings, its id, the message."""
    settings = Settings(
        data_dir=tmp_path,
        secret_key="k",
        support_address="help@acme.test",
        mail_from=f"Acme <{BOUNCES_TO}>",
        smtp_port=inbox.port,
        smtp_retries=0,
    )
    with unit_of_work(engine) as session:
        customer = make_customer(session, email=f"gone-{next(_people)}@example.org")
        result = invite(
            session,
            survey=make_survey(session),
            customer_ids=[customer.id],
            channel="email",
            rules=FatigueRules(cooldown_days=0, ttl_days=30),
        )
        invitation_id = result.invitations[0].id
    deliver_invitations(engine, settings, [invitation_id])
    (email,) = inbox.messages
    return settings, invitation_id, email


def _invitation(engine: Engine, invitation_id: int) -> tuple[str, bool]:
    with Session(engine) as session:
        invitation = session.get(Invitation, invitation_id)
        assert invitation is not None
        return invitation.status, session.get(OptOut, invitation.customer_id) is not None


@pytest.mark.parametrize("to", [BOUNCES_TO, "help@acme.test"])
def test_a_bounce_report_marks_the_invitation_bounced_and_opens_no_case(
    engine: Engine, survey_email: tuple[Settings, int, EmailMessage], to: str
) -> None:
    settings, invitation_id, email = survey_email
    controller = serve(engine, settings)
    report = dsn(email, str(email["To"]), "5.1.1", to=to)
    try:
        with smtplib.SMTP("127.0.0.1", controller.port, timeout=30) as client:
            client.ehlo()
            # Mail servers send bounces from the null sender, to the address mail came from.
            client.mail("<>")
            assert client.rcpt(to)[0] == 250
            code, answer = client.data(report)
            assert (code, answer) == (250, b"2.0.0 bounce report for 1 survey invitation(s)")
            assert client.sendmail("", [to], report) == {}  # the same report again
    finally:
        controller.stop()

    assert _invitation(engine, invitation_id) == ("bounced", True)  # no more survey email
    with Session(engine) as session:
        subjects = session.scalars(select(Case.subject)).all()
        assert "Undelivered Mail Returned to Sender" not in subjects  # no customer's email
