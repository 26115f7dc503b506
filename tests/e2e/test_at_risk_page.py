"""The at-risk page in real Chromium: reached from the navigation, reasons listed, a
labelled button per customer, likely detractors below, axe-clean; the customer's own page
shows both risks, axe-clean too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cxloop.proactive import DetractionScore, RiskScore
from cxloop.store import uow
from cxloop.store.engine import make_engine
from tests.customers.factories import make_customer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401
from tests.proactive.factories import NOW

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scored(live_server: LiveServer) -> LiveServer:
    engine = make_engine(live_server.database_url)
    try:
        with uow.unit_of_work(engine) as session:
            customer = make_customer(session, name="Rita Risk", traits={"monthly_value": 64.0})
            session.add(
                RiskScore(
                    customer_id=customer.id,
                    risk=0.72,
                    reasons=[{"feature": "last NPS", "value": 1.0,
                              "text": "last NPS 1 (typical 8)", "weight": 0.9}],
                    model_version="churn-e2e",
                    scored_at=NOW,
                )
            )  # fmt: skip
            session.add(
                DetractionScore(
                    customer_id=customer.id,
                    risk=0.58,
                    reasons=[{"feature": "contacts, last 30 days", "value": 4.0,
                              "text": "contacts, last 30 days 4 (typical 0)", "weight": 0.7}],
                    model_version="detraction-e2e",
                    scored_at=NOW,
                )
            )  # fmt: skip
    finally:
        engine.dispose()
    return live_server


def test_the_at_risk_page_lists_reasons_and_is_accessible(
    page: Page,  # noqa: F811
    scored: LiveServer,
) -> None:
    sign_in(page, scored)
    page.get_by_role("link", name="At risk").click()
    expect(
        page.get_by_role("heading", name="Customers at risk of leaving", level=1)
    ).to_be_visible()
    leaving = page.get_by_role("table").filter(has_text="most likely to leave")
    row = leaving.get_by_role("row").filter(has_text="Rita Risk")
    expect(row).to_contain_text("72%")
    expect(row).to_contain_text("last NPS 1 (typical 8)")
    expect(row.get_by_role("button", name="Open a retention case for Rita Risk")).to_be_visible()
    detractors = page.get_by_role("table").filter(has_text="answer the next survey 0-6")
    expect(detractors.get_by_role("row").filter(has_text="Rita Risk")).to_contain_text("58%")
    assert_accessible(page)

    row.get_by_role("link", name="Rita Risk").click()
    expect(page.get_by_role("heading", name="Risk", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Of a detractor answer (0-6): 58%")).to_be_visible()
    expect(page.get_by_text("contacts, last 30 days 4 (typical 0)")).to_be_visible()
    assert_accessible(page)
