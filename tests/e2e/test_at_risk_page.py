"""The at-risk page in real Chromium: reached from the navigation, reasons listed, a
labelled button per customer, axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cxloop.proactive import RiskScore
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
    row = page.get_by_role("row").filter(has_text="Rita Risk")
    expect(row).to_contain_text("72%")
    expect(row).to_contain_text("last NPS 1 (typical 8)")
    expect(row.get_by_role("button", name="Open a retention case for Rita Risk")).to_be_visible()
    assert_accessible(page)
