"""The alerts page in Chromium: a rule added and edited with the keyboard only, axe-clean
all the way (refusals beside the field are checked in tests/web)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e


def test_a_rule_is_added_and_edited_with_the_keyboard(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/alerts")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name").focus()
    page.keyboard.press("Enter")  # an empty name is refused in the browser, not sent
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Store NPS under zero (e2e)")
    page.keyboard.press("Tab")  # Metric
    page.keyboard.press("Tab")  # Fires when: below, as it is
    page.keyboard.press("Tab")
    page.keyboard.type("0")
    page.keyboard.press("Tab")  # Check each
    page.keyboard.press("Tab")
    page.keyboard.type("channel:store")
    page.get_by_label("Other addresses, one per line").focus()
    page.keyboard.type("cx-team@example.com")
    page.get_by_role("button", name="Add rule").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Alert rule added.")
    rules = page.get_by_role("table").first
    expect(rules).to_contain_text("Store NPS under zero (e2e)")
    expect(rules).to_contain_text("(channel:store)")
    assert_accessible(page)

    page.get_by_role("link", name="Edit Store NPS under zero (e2e)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Edit alert rule")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Fires when").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # a significant drop
    page.get_by_label("Threshold (for below and above)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.get_by_role("button", name="Save rule").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Alert rule saved.")
    expect(page.get_by_role("table").first).to_contain_text("drop")
