"""The dashboard in real Chromium: charts present, keyboard filters, no console errors, axe."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cxloop.store import uow
from cxloop.store.engine import make_engine
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401
from tests.insights.factories import answer_all, make_scores_survey, nps_answers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def answered(live_server: LiveServer) -> LiveServer:
    """Six weeks of NPS answers on two channels in the server's database."""
    engine = make_engine(live_server.database_url)
    now = datetime.now(UTC)
    try:
        with uow.unit_of_work(engine) as session:
            survey = make_scores_survey(session)
            for week in range(6):
                at = now - timedelta(weeks=week, days=1)
                scores = [10, 9, 9, 8, 7, 6, 3, 10, 9, 10, 2, 9][week:] + [9] * week
                answer_all(
                    session,
                    survey,
                    nps_answers(scores, channel="email", at=at, stage="support")
                    + nps_answers(scores[::-1], channel="web", at=at),
                )
    finally:
        engine.dispose()
    return live_server


def test_dashboard_charts_filters_by_keyboard_and_is_accessible(
    page: Page,  # noqa: F811
    answered: LiveServer,
) -> None:
    sign_in(page, answered)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    trend = page.get_by_role("img", name="Net Promoter Score by week")
    expect(trend).to_be_visible()
    assert page.locator("polygon.ci-band").count() == 1  # the confidence band is drawn
    assert page.locator("g.chart-point circle").count() >= 6
    expect(page.get_by_role("img", name="Net Promoter Score by channel")).to_be_visible()
    assert_accessible(page)

    # Filter with the keyboard only: the choice lands in a shareable URL.
    channel = page.get_by_role("combobox", name="Channel")
    channel.focus()
    page.keyboard.press("End")  # the last channel in the list
    chosen = channel.input_value()
    assert chosen
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    # The filtered page computes its metrics before it answers: a busy machine takes a while.
    expect(page).to_have_url(re.compile(rf"channel={chosen}"), timeout=30_000)
    expect(page.get_by_role("combobox", name="Channel")).to_have_value(chosen)
    assert_accessible(page)


def test_a_charts_numbers_download_from_the_keyboard(
    page: Page,  # noqa: F811
    answered: LiveServer,
) -> None:
    sign_in(page, answered)
    page.goto(f"{answered.url}/dashboard?metric=nps&weeks=8&stage=support")
    link = page.get_by_role("link", name="CSV file of Net Promoter Score by channel", exact=True)
    expect(link).to_be_visible()
    link.focus()
    with page.expect_download() as started:
        page.keyboard.press("Enter")
    download = started.value
    assert re.fullmatch(r"dashboard-by-channel-\d{4}-\d\d-\d\d\.csv", download.suggested_filename)
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("metric,channel,n,value,ci_low,ci_high")
    assert [line.split(",")[1] for line in lines[1:]] == ["(all)", "email"]  # stage: support
