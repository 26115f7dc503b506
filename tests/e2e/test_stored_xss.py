"""Stored XSS: hostile text in every field a customer controls, rendered on every page that
shows it, in real Chromium, executes nothing and shows as the text it is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from cxloop.store import uow
from cxloop.store.engine import make_engine
from cxloop.surveys import Origin, complete, require_live, save_answers, start_response
from tests.customers.factories import make_customer
from tests.e2e.conftest import LiveServer
from tests.e2e.test_customer_page import sign_in
from tests.interactions.factories import make_interaction
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.e2e

# Each payload would set window.__xss (or open a dialog) if the page ran it.
PAYLOADS = [
    '<script>window.__xss = "script"</script>',
    "<img src=x onerror=\"window.__xss = 'img'\">",
    '"><svg onload="window.__xss = \'svg\'">',
    "javascript:window.__xss='href'",
]
HOSTILE = " ".join(PAYLOADS)


@pytest.fixture(scope="module")
def hostile(live_server: LiveServer) -> dict[str, int]:
    engine = make_engine(live_server.database_url)
    try:
        with uow.unit_of_work(engine) as session:
            customer = make_customer(
                session,
                name=f"Eve {PAYLOADS[0]}",
                email="eve@example.com",
                traits={"bio": HOSTILE, PAYLOADS[1]: "as a trait name", "nested": {"x": HOSTILE}},
                identities=[("user_id", PAYLOADS[2]), ("social", PAYLOADS[1], "x")],
            )
            make_interaction(
                session,
                customer_id=customer.id,
                type=PAYLOADS[2],
                text=HOSTILE,
                agent=PAYLOADS[0],
                properties={"url": PAYLOADS[3], "note": HOSTILE},
            )
            survey = make_survey(session, key="xss-check")
            response = start_response(
                session,
                survey=survey,
                version=require_live(session, survey),
                origin=Origin(channel="web", customer_id=customer.id),
                locale="en",
            )
            save_answers(session, response, {"nps": 2, "why": HOSTILE})
            complete(session, response)
            return {"customer": customer.id, "survey": survey.id}
    finally:
        engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()
    assert dialogs == [], f"a payload opened a dialog: {dialogs}"


def test_hostile_text_is_shown_never_run(
    page: Page, live_server: LiveServer, hostile: dict[str, int]
) -> None:
    sign_in(page, live_server)
    pages = [
        f"/customers/{hostile['customer']}",
        f"/customers?q={'eve@example.com'}",
        "/customers",
        f"/surveys/{hostile['survey']}",
        "/surveys",
        "/dashboard",
        "/text",
    ]
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, f"a payload ran on {path}"
        assert page.locator("script:not([src])").count() == 0, f"inline script on {path}"

    page.goto(f"{live_server.url}/customers/{hostile['customer']}")
    body = page.locator("body").inner_text()
    assert PAYLOADS[0] in body, "hostile text must show as text"
