"""The journey and drivers pages in real Chromium: charts present, the filter by keyboard
into a shareable URL, no console errors, axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cxloop.store import uow
from cxloop.store.engine import make_engine
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401
from tests.web.test_journey_pages import callers_and_others

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def answered(live_server: LiveServer) -> LiveServer:
    engine = make_engine(live_server.database_url)
    try:
        with uow.unit_of_work(engine) as session:
            callers_and_others(session)
    finally:
        engine.dispose()
    return live_server


def test_drivers_chart_and_keyboard_filter(page: Page, answered: LiveServer) -> None:  # noqa: F811
    sign_in(page, answered)
    page.get_by_role("link", name="Drivers").click()
    expect(page.get_by_role("heading", name="Key drivers of NPS", level=1)).to_be_visible()
    expect(
        page.get_by_role("img", name="Relative importance of each driver of NPS")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Effect of each driver on NPS in points")).to_be_visible()
    assert page.locator("rect.bar").count() >= 2
    assert_accessible(page)

    score = page.get_by_role("combobox", name="Score")
    score.focus()
    page.keyboard.press("End")  # CSAT
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"metric=csat"))
    expect(page.get_by_role("heading", name="Key drivers of CSAT", level=1)).to_be_visible()
    assert_accessible(page)


def test_journey_page_charts_are_accessible(page: Page, answered: LiveServer) -> None:  # noqa: F811
    sign_in(page, answered)
    page.get_by_role("link", name="Journeys").click()
    expect(page.get_by_role("heading", name="Journeys", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="What comes before a detractor")).to_be_visible()
    expect(page.get_by_role("img", name="Commonest paths between channels")).to_be_visible()
    assert page.locator("line.reference").count() >= 1
    page.get_by_text("What comes before a detractor as a table").click()
    expect(page.get_by_role("rowheader", name="touchpoint: call")).to_be_visible()
    assert_accessible(page)

    weeks = page.get_by_role("combobox", name="Period")
    weeks.focus()
    page.keyboard.press("Home")  # the last 4 weeks
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"weeks=4"))
