"""The whole loop with real parts, as the cases issue states it: a detractor answers a survey
with an angry comment; the understanding job and the case-opening job run (the server's job
queue runs jobs at once, in process); a case opens in the department the routing rule names,
with deadlines on that department's calendar; the agent answers in headless Chromium; the
email reaches a real SMTP server; the customer's reply, a real MIME message, comes back
through the inbound webhook and threads onto the case without its quote; the agent solves the
case; and the "was this solved?" survey is emailed to the customer."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from cxloop.accounts import Role, create_token
from cxloop.app import create_app
from cxloop.cases import Calendar, Case, CaseLink, CaseMessage
from cxloop.interactions import Interaction, create_source
from cxloop.jobs import SURVEY_DISPATCH, install, installed, uninstall
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.types import utcnow
from cxloop.understanding import Enrichment
from tests.accounts.factories import PASSWORD, make_user
from tests.customers.factories import make_customer
from tests.e2e.test_customer_page import assert_accessible, page  # noqa: F401
from tests.outreach.smtp_server import Inbox, free_port
from tests.surveys.factories import make_survey
from tests.understanding.factories import deploy_intent_head, models_dir

pytestmark = pytest.mark.e2e

ANGRY = "I'm so angry, you charged my card twice for one order and I want my money back now!"
TOKYO = {
    "timezone": "Asia/Tokyo",
    "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "holiday_country": "JP",
}
FIRST_RESPONSE_MINUTES, RESOLUTION_MINUTES = 120, 960


@dataclass(frozen=True)
class Loop:
    url: str
    settings: Settings
    engine: Engine
    inbox: Inbox
    token: str
    write_key: str
    agent_email: str
    customer_id: int
    survey_id: int


def _seed(engine: Engine) -> tuple[str, str, str, int, int]:
    """People, a customer, a live NPS survey and a mail source: what a company has before it
    sets up cases (that set-up goes through the API in the test)."""
    with uow.unit_of_work(engine) as session:
        lead = make_user(session, role=Role.admin, email="lead@acme.com")
        _row, token = create_token(session, user=lead)
        agent = make_user(session, role="agent", departments=["billing"], email="sam@acme.com")
        make_user(session, role="agent", departments=["retention"], email="rita@acme.com")
        ann = make_customer(session, name="Ann Lee", email="ann@example.com")
        survey = make_survey(session, key="after-purchase")
        _source, write_key = create_source(session, name="support mail")
        return token, write_key, agent.email, ann.id, survey.id


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    inbox = Inbox(port=free_port())
    smtp = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    smtp.start()
    port = free_port()
    data_dir: Path = tmp_path_factory.mktemp("e2e-case-loop")
    # The refund intent the routing rule reads comes from a head of the loop's own.
    model_dir = models_dir(data_dir / "models")
    deploy_intent_head(model_dir)
    settings = Settings(
        data_dir=data_dir,
        secret_key="e2e-case-loop-key",
        model_dir=model_dir,
        jobs_url="memory",  # jobs run as soon as they are queued, in the server's process
        smtp_port=inbox.port,
        support_address="Acme Support <help@acme.com>",
        public_url=f"http://127.0.0.1:{port}",
    )
    before = installed()
    app = create_app(settings)
    engine: Engine = app.state.engine
    token, write_key, agent_email, customer_id, survey_id = _seed(engine)
    web = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not web.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield Loop(
            url=settings.public_url,
            settings=settings,
            engine=engine,
            inbox=inbox,
            token=token,
            write_key=write_key,
            agent_email=agent_email,
            customer_id=customer_id,
            survey_id=survey_id,
        )
    finally:
        web.should_exit = True
        thread.join(timeout=10)
        smtp.stop()
        engine.dispose()
        uninstall(app.state.jobs)
        if before is not None:  # the session's live server gets its queue back
            install(before)


@pytest.fixture
def api(loop: Loop) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {loop.token}"}
    with httpx.Client(base_url=f"{loop.url}/api/v1", headers=headers, timeout=120) as client:
        yield client


def set_up_cases(api: httpx.Client) -> None:
    """What a team lead does once, through the API as docs/cases.md shows it."""
    steps: list[tuple[str, str, dict[str, object]]] = [
        ("PUT", "/departments/billing/calendar", TOKYO),
        (
            "POST",
            "/sla-policies",
            {
                "name": "Billing",
                "department": "billing",
                "first_response_minutes": FIRST_RESPONSE_MINUTES,
                "resolution_minutes": RESOLUTION_MINUTES,
            },
        ),
        (
            "POST",
            "/case-rules",
            {
                "name": "Unhappy detractor",
                "priority": "high",
                "tags": ["nps"],
                "conditions": [
                    {"field": "score.nps", "op": "le", "value": 6},
                    {"field": "sentiment", "op": "eq", "value": "negative"},
                ],
            },
        ),
        (
            "POST",
            "/routing-rules",
            {
                "name": "Leaving us",
                "position": 0,
                "department": "retention",
                "conditions": [{"field": "signal", "op": "eq", "value": "churn_threat"}],
            },
        ),
        (
            "POST",
            "/routing-rules",
            {
                "name": "Money back",
                "position": 1,
                "department": "billing",
                "conditions": [{"field": "intent", "op": "eq", "value": "refund"}],
            },
        ),
    ]
    for method, url, body in steps:
        answered = api.request(method, url, json=body)
        assert answered.status_code in (200, 201), answered.text


def customer_reply(answer: EmailMessage, text: str) -> bytes:
    """What Ann's mail client sends back: threaded on our answer, our text quoted below."""
    quoted = "\n".join(f"> {line}" for line in answer.get_content().splitlines())
    reply = EmailMessage()
    reply["From"] = "Ann Lee <ann@example.com>"
    reply["To"] = answer["Reply-To"]
    reply["Subject"] = f"Re: {answer['Subject']}"
    reply["Date"] = format_datetime(utcnow())
    reply["Message-ID"] = make_msgid(domain="example.com")
    reply["In-Reply-To"] = answer["Message-ID"]
    reply["References"] = answer["Message-ID"]
    reply.set_content(f"{text}\n\nOn Monday, Acme Support <help@acme.com> wrote:\n{quoted}\n")
    return reply.as_bytes()


def test_a_detractor_is_answered_threaded_solved_and_asked_if_it_is(
    page: Page,  # noqa: F811
    loop: Loop,
    api: httpx.Client,
) -> None:
    set_up_cases(api)

    # 1. Ann answers the NPS survey: a 2, and an angry comment.
    answered = api.post(
        f"/surveys/{loop.survey_id}/responses",
        json={
            "customer_id": loop.customer_id,
            "channel": "email",
            "answers": {"nps": 2, "why": ANGRY},
        },
    )
    assert answered.status_code == 201, answered.text

    # 2. Understood, judged by the opening rule, routed by the second routing rule.
    (listed,) = api.get("/cases", params={"view": "open"}).json()["items"]
    case_id = listed["id"]
    with uow.unit_of_work(loop.engine, write=False) as session:
        case = session.get(Case, case_id)
        assert case is not None
        billing = case.department_id
        assert (case.customer_id, case.priority, case.tags) == (loop.customer_id, "high", ["nps"])
        assert case.routing["rule"] == "Money back"
        assert case.status == "new" and case.channel == "email"
        understood = session.scalar(
            select(Enrichment)
            .join(CaseLink, CaseLink.interaction_id == Enrichment.interaction_id)
            .where(CaseLink.case_id == case_id, CaseLink.role == "cause")
        )
        assert understood is not None
        assert (understood.sentiment, understood.emotion) == ("negative", "anger")
        tokyo = Calendar.build(**TOKYO)  # type: ignore[arg-type]
        assert case.first_response_due == tokyo.add(case.created_at, FIRST_RESPONSE_MINUTES)
        assert case.resolution_due == tokyo.add(case.created_at, RESOLUTION_MINUTES)
        everywhere = Calendar.build(timezone=loop.settings.default_timezone)
        assert case.resolution_due != everywhere.add(case.created_at, RESOLUTION_MINUTES)
    department = api.get(f"/cases/{case_id}").json()["case"]
    assert department["department_id"] == billing

    # 3. Sam, of billing, signs in, opens the case from the queue and answers.
    page.goto(f"{loop.url}/cases")
    page.get_by_label("Email").fill(loop.agent_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{loop.url}/cases")
    row = page.locator("tr[data-case-row]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Unhappy detractor")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(f"{loop.url}/cases/{case_id}")
    expect(page.get_by_text("Emotion: anger")).to_be_visible()
    page.get_by_label("Answer").fill(
        "Hello Ann, we are sorry: the second charge is refunded today."
    )
    page.get_by_role("button", name=re.compile("Send answer")).click()
    expect(page.get_by_role("status").first).to_contain_text("queued for delivery")
    assert_accessible(page)

    # 4. The answer reached the SMTP server, ready to be threaded.
    (answer,) = [m for m in loop.inbox.messages if parseaddr(m["To"])[1] == "ann@example.com"]
    assert f"[case #{case_id}]" in answer["Subject"]
    assert answer["Message-ID"]
    assert re.fullmatch(r"Acme Support <help\+[\w-]+@acme\.com>", answer["Reply-To"])
    assert "the second charge is refunded today" in answer.get_content()
    with uow.unit_of_work(loop.engine, write=False) as session:
        (message,) = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id))
        assert (message.status, message.email_message_id) == ("sent", answer["Message-ID"])
        assert session.get(Case, case_id).status == "waiting"  # type: ignore[union-attr]

    # 5. Ann answers from her mail client; her provider posts the raw MIME to us.
    raw = customer_reply(answer, "Thank you, but I still see both charges on my card.")
    posted = httpx.post(
        f"{loop.url}/api/v1/inbound/email",
        content=raw,
        headers={"Content-Type": "message/rfc822"},
        auth=(loop.write_key, ""),
        timeout=120,
    )
    assert posted.status_code == 200, posted.text
    got = posted.json()
    assert (got["case_id"], got["opened"], got["status"]) == (case_id, False, "open")
    with uow.unit_of_work(loop.engine, write=False) as session:
        reply = session.get(Interaction, got["interaction_id"])
        assert reply is not None
        assert reply.text == "Thank you, but I still see both charges on my card."
        assert answer["Message-ID"] in reply.properties["email_references"]

    # 6. Sam sees the reply on the case and solves it.
    page.reload()
    expect(page.locator("#history")).to_contain_text("the customer wrote back")
    expect(page.locator("#timeline")).to_contain_text("I still see both charges")
    page.get_by_role("button", name="Mark solved").click()
    expect(page.locator("#history")).to_contain_text("solved")

    # 7. The follow-up is invited at the solve and sent by the survey dispatcher.
    with uow.unit_of_work(loop.engine, write=False) as session:
        solved = session.get(Case, case_id)
        assert solved is not None and solved.status == "solved"
        assert solved.followup_invitation_id is not None
    app_jobs = installed()
    assert app_jobs is not None
    app_jobs.run(SURVEY_DISPATCH.name, {})
    to_ann = [m for m in loop.inbox.messages if parseaddr(m["To"])[1] == "ann@example.com"]
    assert len(to_ann) == 2
    followup = to_ann[-1]
    html = followup.get_body(("html",))
    assert html is not None
    link = re.search(r'href="([^"]+/s/i/[^"]+)"', html.get_content())
    assert link is not None and "We recently worked on your request." in html.get_content()
    page.goto(link.group(1).replace("&amp;", "&"))  # Ann opens it
    expect(page.get_by_text("Was your problem solved?")).to_be_visible()
