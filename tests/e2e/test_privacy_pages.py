"""The privacy pages in Chromium: usable with the keyboard alone, and axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e


def test_record_an_export_with_the_keyboard_then_read_the_log(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/privacy")
    assert_accessible(page)

    page.get_by_label("Customer id").focus()
    page.keyboard.type(str(live_server.customer_id))
    page.get_by_label("Reference (optional)").focus()
    page.keyboard.type("ticket 77")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("is recorded and carried out")
    assert_accessible(page)
    page.get_by_role("link", name="audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("table")).to_contain_text("request.export.completed")
    assert_accessible(page)
