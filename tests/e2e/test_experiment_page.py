"""The experiment page in real Chromium: reached from the navigation, chart drawn, axe-clean."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cxloop.experiments import stop_experiment
from cxloop.store import uow
from cxloop.store.engine import make_engine
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import assert_accessible, page, sign_in  # noqa: F401
from tests.experiments.factories import AFTER, EXPOSED, customers, exposed, make_experiment
from tests.interactions.factories import make_interaction

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def finished(live_server: LiveServer) -> LiveServer:
    engine = make_engine(live_server.database_url)
    try:
        with uow.unit_of_work(engine) as session:
            experiment = make_experiment(
                session,
                name="Onboarding call",
                metric="volume",
                better="lower",
                stratify_by="plan",
                plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 3, "cuped": False},
            )
            ids = customers(session, 8, plan="premium") + customers(session, 8, plan="basic")
            turn: Counter[str] = Counter()
            for cid, arm in exposed(session, experiment, ids).items():
                turn[arm] += 1
                for k in range(1 + turn[arm] % 2 + (2 if arm == "control" else 0)):
                    make_interaction(
                        session, customer_id=cid, occurred_at=EXPOSED + timedelta(days=k + 1)
                    )
            stop_experiment(session, experiment, now=AFTER)
    finally:
        engine.dispose()
    return live_server


def test_experiment_page_shows_the_effect_and_is_accessible(
    page: Page,  # noqa: F811
    finished: LiveServer,
) -> None:
    sign_in(page, finished)
    page.get_by_role("link", name="Experiments").click()
    expect(page.get_by_role("heading", name="Experiments", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Onboarding call").click()
    expect(page.get_by_role("heading", name="Onboarding call", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="Effect on Interaction volume")).to_be_visible()
    expect(page.get_by_role("img", name="Effect of call by plan")).to_be_visible()
    assert_accessible(page)
