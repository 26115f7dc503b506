"""The topics page in Chromium: a topic added with the keyboard only, tried on a customer's
text, axe-clean all the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401

pytestmark = pytest.mark.e2e


def test_a_topic_added_with_the_keyboard_is_tried_on_a_text(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/text")
    page.get_by_role("link", name="Your topics").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Topics", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name").focus()
    page.keyboard.press("Enter")  # an empty name is refused in the browser, not sent
    expect(page.get_by_label("Name")).to_be_focused()
    page.keyboard.type("Parcel damaged (e2e)")
    page.keyboard.press("Tab")
    page.keyboard.type("boxes and devices that arrive broken or crushed")
    page.keyboard.press("Tab")  # Under: the top level, as it is
    page.keyboard.press("Tab")
    page.keyboard.type("the box was crushed")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("my phone arrived with a cracked screen")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add topic")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text("Topic added.")
    tree = page.locator(".taxonomy")
    expect(tree).to_contain_text("Parcel damaged (e2e)")
    expect(tree).to_contain_text("“my phone arrived with a cracked screen”")
    expect(page.get_by_role("link", name="Edit or move Parcel damaged (e2e)")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Sample texts, one per line").focus()
    page.keyboard.type("The parcel came today and the box was totally crushed")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    results = page.get_by_role("table")
    # The first analysis in the server process loads the models: allow it a while.
    expect(page.get_by_role("heading", name="1 of 1 texts matched a topic")).to_be_visible(
        timeout=60_000
    )
    expect(results).to_contain_text("the box was totally crushed")
    expect(results).to_contain_text("Parcel damaged (e2e)")
    assert_accessible(page)


def test_editing_and_deleting_pages_are_accessible(
    page: Page,  # noqa: F811
    live_server: LiveServer,
) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/text/topics")
    page.get_by_label("Name").fill("Billing (e2e)")
    page.get_by_role("button", name="Add topic").click()
    page.get_by_label("Name").fill("Double charge (e2e)")
    page.get_by_label("Under").select_option(label="Billing (e2e)")
    page.get_by_role("button", name="Add topic").click()
    expect(page.locator(".taxonomy")).to_contain_text("Double charge (e2e)")

    page.get_by_role("link", name="Edit or move Billing (e2e)", exact=True).click()
    expect(page.get_by_role("heading", name="Edit Billing (e2e)", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()

    page.get_by_role("link", name="Delete Billing (e2e)", exact=True).click()
    expect(page.get_by_role("heading", name="Delete Billing (e2e)?", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Delete Billing (e2e) and 1 subtopic").click()
    expect(page.get_by_role("status")).to_have_text("Topic deleted.")
    # The list region is there whether or not any topic is left (an empty tree is a sentence).
    topics = page.get_by_role("region", name="Your topics")
    expect(topics).to_be_visible()
    expect(topics).not_to_contain_text("Billing (e2e)")
    expect(topics).not_to_contain_text("Double charge (e2e)")
