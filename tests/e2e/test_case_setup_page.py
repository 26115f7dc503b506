"""The routing and SLA set-up page in Chromium: a rule added with the keyboard, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e


def test_a_lead_adds_an_opening_rule_with_the_keyboard(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/cases")
    page.get_by_role("link", name="Routing and SLAs").click()
    expect(page.get_by_role("heading", name="Routing and SLAs", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name").first.focus()
    page.keyboard.type("Churn threat (e2e)")
    page.get_by_label("Conditions, one per line (all must hold)").focus()
    page.keyboard.type("signal eq churn_threat")
    page.get_by_role("button", name="Add opening rule").press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.locator("#opening table")).to_contain_text("signal eq churn_threat")
    assert_accessible(page)
