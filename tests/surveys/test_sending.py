"""Email invitations through a real SMTP server: the embedded score, tracking, bounces, and
never the same invitation twice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from cxloop.accounts import Role
from cxloop.settings import Settings
from cxloop.surveys import (
    FatigueRules,
    Invitation,
    InvitationStatus,
    deliver_invitations,
    dispatch,
    due_invitations,
    invite,
)
from tests.accounts.factories import bearer, make_token
from tests.customers.factories import make_customer
from tests.outreach.http_receiver import WEBHOOK_SECRET as SECRET
from tests.outreach.http_receiver import receiver
from tests.outreach.smtp_server import Inbox, free_port
from tests.surveys.factories import make_survey

RULES = FatigueRules(cooldown_days=0, ttl_days=30)
BASE = "https://cx.example.com"


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Settings:
    return Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        smtp_port=inbox.port,
        smtp_retries=0,
        public_url=BASE,
        mail_from="Brightwave <surveys@bw.test>",
    )


def test_an_invitation_email_embeds_the_scale_and_a_click_records_the_score(
    client: TestClient, session: Session, inbox: Inbox
) -> None:
    ann = make_customer(session, email="ann@example.com", traits={"language": "fr"})
    survey = make_survey(session)
    admin = bearer(make_token(session, role=Role.admin))
    created = client.post(
        f"/api/v1/surveys/{survey.id}/invitations",
        json={"customer_ids": [ann.id], "channel": "email", "stage": "delivery"},
        headers=admin,
    )
    assert created.status_code == 201, created.text

    (email,) = inbox.to("ann@example.com")  # sent right after the commit
    assert email["Subject"] == "Comment avons-nous fait ?"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # a long header is folded onto its own line (RFC 5322): the value is the same
    assert re.fullmatch(rf"<{BASE}/s/u/\S+>", email["List-Unsubscribe"].strip())
    text = email.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    links = re.findall(rf"^(\d+): ({BASE}/s/i/\S+\?nps=\d+)$", text, flags=re.M)
    assert [int(score) for score, _ in links] == list(range(11))
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert html.count("?nps=") == 11

    invitation = session.get(
        Invitation, created.json()["invitations"][0]["id"], populate_existing=True
    )
    assert invitation is not None and invitation.status == "sent" and invitation.sent_at

    clicked = client.get(links[9][1].removeprefix(BASE), follow_redirects=False)
    assert clicked.status_code == 303
    rates = client.get(f"/api/v1/surveys/{survey.id}/rates?by=stage", headers=admin).json()
    assert rates == [
        {
            "group": "delivery",
            "invited": 1,
            "sent": 1,
            "bounced": 0,
            "opened": 1,
            "started": 1,
            "completed": 0,
            "response_rate": 0.0,
        }
    ]


def test_a_refused_address_is_a_bounce_in_the_counts(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    inbox.refuse.add("gone@example.com")
    gone = make_customer(session, email="gone@example.com")
    here = make_customer(session, email="here@example.com")
    survey = make_survey(session)
    ids = [
        i.id
        for i in invite(
            session, survey=survey, customer_ids=[gone.id, here.id], channel="email", rules=RULES
        ).invitations
    ]

    report = deliver_invitations(connection, settings, ids)

    assert (report.sent, report.bounced, report.failed) == (1, 1, 0)
    statuses = {
        session.get(Invitation, i, populate_existing=True).email: session.get(Invitation, i).status  # type: ignore[union-attr]
        for i in ids
    }
    assert statuses == {"gone@example.com": "bounced", "here@example.com": "sent"}
    assert [m["To"] for m in inbox.messages] == ["here@example.com"]


def test_an_invitation_is_never_sent_twice(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    people = [make_customer(session, email=f"p{n}@example.com") for n in range(3)]
    survey = make_survey(session)
    invitations = invite(
        session, survey=survey, customer_ids=[p.id for p in people], channel="email", rules=RULES
    ).invitations
    # A sender that crashed after claiming this one: it may have gone out, so it is not resent.
    invitations[2].status = InvitationStatus.sending.value
    session.flush()
    ids = [i.id for i in invitations]

    first = deliver_invitations(connection, settings, ids)
    second = deliver_invitations(connection, settings, ids)

    assert (first.sent, first.skipped, second.sent, second.skipped) == (2, 1, 0, 3)
    assert sorted(m["To"] for m in inbox.messages) == ["p0@example.com", "p1@example.com"]
    assert dispatch(connection, settings).in_doubt == 1  # reported for a person to look at


def test_an_smtp_outage_is_reported_and_sent_once_the_server_is_back(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    ann = make_customer(session, email="ann@example.com")
    survey = make_survey(session)
    (invitation,) = invite(
        session, survey=survey, customer_ids=[ann.id], channel="email", rules=RULES
    ).invitations

    down = settings.model_copy(update={"smtp_port": free_port()})
    report = deliver_invitations(connection, down, [invitation.id])
    session.refresh(invitation)
    assert report.failed == 1 and "Connection refused" in report.errors[0]
    assert (invitation.status, invitation.attempts) == ("failed", 1)
    assert invitation.last_error and f"127.0.0.1:{down.smtp_port}" in invitation.last_error

    assert due_invitations(session, limit=10) == [invitation.id]
    again = deliver_invitations(connection, settings, due_invitations(session, limit=10))
    session.refresh(invitation)
    assert again.sent == 1 and (invitation.status, invitation.attempts) == ("sent", 2)
    assert len(inbox.to("ann@example.com")) == 1
    assert due_invitations(session, limit=10) == []


def test_sms_invitations_go_to_the_signed_webhook_with_the_personal_link(
    client: TestClient, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, name="Ann", email="ann@example.com", phone="+351912345678")
    survey = make_survey(session)
    admin = bearer(make_token(session, role=Role.admin))
    with receiver() as hook:
        client.app.state.settings = settings.model_copy(
            update={"survey_webhook_url": hook.url, "survey_webhook_secret": SECRET}
        )
        created = client.post(
            f"/api/v1/surveys/{survey.id}/invitations",
            json={"customer_ids": [ann.id], "channel": "sms", "stage": "support"},
            headers=admin,
        ).json()
    (got,) = hook.received
    event = Webhook(SECRET).verify(got.body, got.headers)
    data = event["data"]
    assert (event["type"], data["channel"], data["stage"]) == (
        "survey.invitation",
        "sms",
        "support",
    )
    assert data["customer"] == {"id": ann.id, "name": "Ann", "phone": "+351912345678"}
    assert data["link"] == created["invitations"][0]["link"]
    assert data["message"] == f"How did we do? {data['link']}"
    invitation = session.get(Invitation, data["invitation_id"], populate_existing=True)
    assert invitation is not None and invitation.status == "sent"


def test_when_the_server_is_down_the_rest_wait_untried_for_the_next_run(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    people = [make_customer(session, email=f"q{n}@example.com") for n in range(3)]
    survey = make_survey(session)
    ids = [
        i.id
        for i in invite(
            session,
            survey=survey,
            customer_ids=[p.id for p in people],
            channel="email",
            rules=RULES,
        ).invitations
    ]
    down = settings.model_copy(update={"smtp_port": free_port(), "smtp_retries": 2})
    waits: list[float] = []

    report = deliver_invitations(connection, down, ids, sleep=waits.append)

    assert (report.failed, report.released, waits) == (1, 2, [0.5, 1.0])  # one retry series
    rows = [session.get(Invitation, i, populate_existing=True) for i in ids]
    assert [(r.status, r.attempts) for r in rows if r] == [
        ("failed", 1),
        ("queued", 0),
        ("queued", 0),
    ]
    again = deliver_invitations(connection, settings, due_invitations(session, limit=10))
    assert again.sent == 3 and len(inbox.messages) == 3
