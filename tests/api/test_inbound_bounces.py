"""Bounces reported after sending (RFC 3464 delivery status notifications, and providers' JSON
events): the invitation is marked bounced, counts in the response rates, and a permanent
bounce stops survey email to the customer."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.interactions import create_source
from cxloop.settings import Settings
from cxloop.surveys import FatigueRules, Invitation, Survey, invite, response_rates
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.outreach.dsn import dsn
from tests.outreach.smtp_server import Inbox
from tests.surveys.factories import make_survey

URL = "/api/v1/inbound/bounces"
MIME = {"Content-Type": "message/rfc822"}
RULES = FatigueRules(cooldown_days=0, ttl_days=30)


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        smtp_port=inbox.port,
        smtp_retries=0,
        public_url="https://cx.example.com",
        mail_from="Brightwave <surveys@bw.test>",
    )


@pytest.fixture
def write_key(session: Session) -> tuple[str, str]:
    _source, key = create_source(session, name="mail provider", kind="webhook")
    return key, ""


def _sent(
    client: TestClient, session: Session, inbox: Inbox, address: str
) -> tuple[Invitation, EmailMessage, Survey]:
    """An invitation emailed for real to ``address``, and the message the inbox got."""
    customer = make_customer(session, email=address)
    survey = make_survey(session)
    created = client.post(
        f"/api/v1/surveys/{survey.id}/invitations",
        json={"customer_ids": [customer.id], "channel": "email"},
        headers=bearer(make_token(session, role=Role.admin)),
    )
    assert created.status_code == 201, created.text
    (email,) = inbox.to(address)
    invitation = session.scalars(
        select(Invitation).where(Invitation.customer_id == customer.id)
    ).one()
    session.refresh(invitation)
    assert invitation.status == "sent"
    return invitation, email, survey


def _again(session: Session, survey: Survey, customer_id: int, channel: str) -> list[str]:
    """Why the customer would not be invited once more on ``channel`` (empty: they would)."""
    result = invite(
        session, survey=survey, customer_ids=[customer_id], channel=channel, rules=RULES
    )
    return [s.reason for s in result.suppressed]


def test_a_permanent_dsn_marks_the_invitation_bounced_and_stops_survey_email(
    client: TestClient, session: Session, inbox: Inbox, write_key: tuple[str, str]
) -> None:
    invitation, email, survey = _sent(client, session, inbox, "gone@example.com")
    raw = dsn(email, "gone@example.com", "5.1.1")

    answer = client.post(URL, content=raw, headers=MIME, auth=write_key)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"bounces": 1, "invitations": [invitation.id]}
    session.refresh(invitation)
    assert invitation.status == "bounced" and invitation.bounced_at is not None
    assert response_rates(session, survey)[None].bounced == 1
    assert _again(session, survey, invitation.customer_id, "email") == [
        "their email address bounced"
    ]
    assert _again(session, survey, invitation.customer_id, "link") == []


def test_the_same_report_twice_changes_nothing_more(
    client: TestClient, session: Session, inbox: Inbox, write_key: tuple[str, str]
) -> None:
    invitation, email, _survey = _sent(client, session, inbox, "twice@example.com")
    raw = dsn(email, "twice@example.com", "5.1.1")
    first = client.post(URL, content=raw, headers=MIME, auth=write_key).json()
    second = client.post(URL, content=raw, headers=MIME, auth=write_key).json()
    assert first == second == {"bounces": 1, "invitations": [invitation.id]}


def test_a_delayed_or_soft_report_counts_but_does_not_suppress(
    client: TestClient, session: Session, inbox: Inbox, write_key: tuple[str, str]
) -> None:
    invitation, email, survey = _sent(client, session, inbox, "full@example.com")
    delayed = dsn(email, "full@example.com", "4.2.2", action="delayed")
    assert client.post(URL, content=delayed, auth=write_key,
                       headers=MIME).json()["bounces"] == 0  # fmt: skip
    soft = client.post(URL, json={"email": "full@example.com", "type": "soft"}, auth=write_key)
    assert soft.json() == {"bounces": 1, "invitations": [invitation.id]}
    session.refresh(invitation)
    assert invitation.status == "bounced"
    assert _again(session, survey, invitation.customer_id, "email") == []


def test_bad_reports_are_refused_with_the_reason(
    client: TestClient, write_key: tuple[str, str]
) -> None:
    plain = client.post(URL, content=b"Subject: hi\r\n\r\nhello", auth=write_key,
                        headers=MIME)  # fmt: skip
    assert plain.status_code == 422 and "delivery status notification" in plain.text
    unknown = client.post(URL, json={"email": "a@example.com", "type": "bounced?"}, auth=write_key)
    assert unknown.status_code == 422 and "type must be one of" in unknown.text
    assert client.post(URL, json={"email": "a@example.com", "type": "hard"}).status_code == 401
