"""Sign in, search, open a customer, read the timeline and the chart, in real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

AXE = Axe()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"browser errors (CSP or script): {problems}"


def sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/customers")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fcustomers$"))
    page.get_by_label("Email").fill(server.email)
    page.get_by_label("Password").fill(server.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/customers")


def test_sign_in_search_open_customer_and_load_more(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page)

    sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Customers", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("searchbox", name="Search customers").fill("ANN@example.com")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=ANN%40example.com"))
    results = page.locator("ol.results > li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Ann <b>Lee</b>")  # shown as text, not markup
    assert_accessible(page)

    results.first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/customers/{live_server.customer_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann <b>Lee</b>")

    chart = page.get_by_role("img", name=re.compile("Customer journey"))
    expect(chart).to_be_visible()
    expect(chart.locator("text", has_text="Journey stages over time")).to_have_count(1)
    expect(page.get_by_text("Channels used").first).to_be_attached()
    page.get_by_text("Journey data as tables").click()
    expect(page.get_by_role("table", name="Interactions per channel")).to_be_visible()

    events = page.locator("ol.timeline > li.event")
    expect(events).to_have_count(25)
    newest = events.first
    expect(newest).to_contain_text("Chat")
    expect(newest).to_contain_text("Support")
    expect(newest).to_contain_text("<script>alert('x')</script> my parcel is late")
    assert_accessible(page)

    page.get_by_role("link", name="Load older interactions").click()
    expect(events).to_have_count(41)
    expect(page.get_by_text("That is the whole timeline.", exact=True)).to_be_visible()
    focused = page.evaluate("document.activeElement.id")
    assert focused == events.nth(25).get_attribute("id")  # focus follows the new items
    ids = [events.nth(i).get_attribute("id") for i in range(41)]
    assert len(set(ids)) == 41
    assert_accessible(page)


def test_keyboard_only(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/customers/{live_server.customer_id}")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Customers").nth(1)).to_be_focused()  # breadcrumb

    load_more = page.get_by_role("link", name="Load older interactions")
    for _ in range(200):
        page.keyboard.press("Tab")
        if load_more.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("the load-more link is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("ol.timeline > li.event")).to_have_count(41)
    expect(page.locator("ol.timeline > li.event").nth(25)).to_be_focused()


def test_filters_and_paging_work_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/customers/{live_server.customer_id}")
        page.get_by_role("group", name="Channels").get_by_label("Email").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"channel=email"))
        events = page.locator("ol.timeline > li.event")
        expect(events).to_have_count(8)
        channels = {events.nth(i).get_attribute("class") for i in range(8)}
        assert channels == {"event chan-email"}

        page.get_by_role("button", name="Apply filters").click()  # still checked: same result
        expect(events).to_have_count(8)
        page.get_by_role("link", name="Clear filters").click()
        expect(events).to_have_count(25)
        page.get_by_role("link", name="Load older interactions").click()
        expect(page).to_have_url(re.compile(r"cursor="))
        expect(events).to_have_count(16)
        expect(page.get_by_role("link", name="Back to the newest interactions")).to_be_visible()
    finally:
        context.close()


def test_sign_out(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{live_server.url}/customers")
    expect(page).to_have_url(re.compile(r"/login\?next="))
