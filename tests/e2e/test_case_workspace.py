"""The agent workspace in Chromium: an agent signs in, opens the queue, moves to a case and
opens it with the keyboard, answers with a template and sees the answer in the history and
on the customer's timeline; every page axe-clean."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cxloop.cases import CaseLink, ReplyTemplate
from cxloop.store import uow
from cxloop.store.engine import make_engine
from cxloop.types import utcnow
from tests.accounts.factories import PASSWORD, make_user
from tests.cases.factories import make_department, make_interaction
from tests.cases.queue_factories import make_queued_case
from tests.customers.factories import make_customer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page  # noqa: F401

pytestmark = pytest.mark.e2e


def seed(server: LiveServer) -> tuple[str, int]:
    engine = make_engine(server.database_url)
    try:
        with uow.unit_of_work(engine) as session:
            team = make_department(session, "e2e-billing")
            agent = make_user(session, role="agent", departments=[team.slug])
            customer = make_customer(session, name="Nora Diaz", email="nora@example.com")
            now = utcnow()
            make_queued_case(
                session,
                department=team,
                customer=customer,
                subject="Card declined",
                resolution_due=now + timedelta(hours=2),
            )
            case = make_queued_case(
                session,
                department=team,
                customer=customer,
                subject="Charged twice",
                assignee=agent,
                first_response_due=now + timedelta(minutes=25),
                resolution_due=now + timedelta(hours=1),
            )
            cause = make_interaction(
                session,
                customer=customer,
                text="You charged me twice!",
                occurred_at=now - timedelta(hours=1),
                enrichment={"sentiment": "negative", "emotion": "anger", "urgency": "high"},
            )
            session.add(CaseLink(case_id=case.id, interaction_id=cause.id, role="cause"))
            session.add(
                ReplyTemplate(
                    key="refund-e2e",
                    name="Refund on its way",
                    subject="Your refund",
                    body="Sorry for the double charge: the refund is on its way.",
                )
            )
            return agent.email, case.id
    finally:
        engine.dispose()


def test_an_agent_answers_a_case_with_the_keyboard_and_a_template(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    email, case_id = seed(live_server)
    page.goto(f"{live_server.url}/cases")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/cases")
    expect(page.get_by_role("heading", name="Cases", level=1)).to_be_visible()
    rows = page.locator("tr[data-case-row]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Charged twice")  # the sooner deadline first
    expect(rows.first).to_contain_text("first response due")
    expect(page.get_by_role("link", name=re.compile("My open cases"))).to_contain_text("1")
    assert_accessible(page)

    page.locator("body").press("?")
    expect(page.get_by_text("Next / previous case in the queue")).to_be_visible()
    page.keyboard.press("?")
    page.locator("body").focus()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.first).to_have_class(re.compile("selected"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cases/{case_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"#{case_id} Charged twice")
    expect(page.get_by_text("Sentiment: negative")).to_be_visible()
    assert_accessible(page)

    page.locator("body").press("r")
    expect(page.get_by_label("Answer")).to_be_focused()
    page.keyboard.press("Escape")
    page.get_by_label("Template").select_option(label="Refund on its way (en)")
    expect(page.get_by_label("Answer")).to_have_value(
        "Sorry for the double charge: the refund is on its way."
    )
    page.get_by_label("Keep open").check()
    page.get_by_role("button", name=re.compile("Send answer")).click()

    expect(page.get_by_role("status").first).to_contain_text("queued for delivery")
    history = page.locator("#history")
    expect(history).to_contain_text("answered by email")
    expect(history).to_contain_text("refund is on its way")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Case Reply")
    expect(timeline).to_contain_text("refund is on its way")
    assert_accessible(page)
