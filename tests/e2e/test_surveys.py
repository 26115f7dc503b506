"""End to end with real parts: a delivery is logged over REST, the trigger invites, the email
reaches a real SMTP server, the link is answered in headless Chromium (keyboard only, axe
clean), and the answer is on the customer's timeline and in the response-rate counts."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect
from playwright.sync_api import Response as PlaywrightResponse
from sqlalchemy import Engine, select

from cxloop.accounts import Role, create_token
from cxloop.app import create_app
from cxloop.settings import Settings
from cxloop.store import uow
from cxloop.surveys import Response as SurveyResponse
from cxloop.surveys import TriggerCreate, create_trigger, dispatch, survey_by_key
from tests.accounts.factories import PASSWORD, make_user
from tests.conftest import (
    _worker,
    drop_postgres_database,
    fresh_postgres_database,
    postgres_reachable,
)
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox, free_port
from tests.surveys.factories import make_survey

pytestmark = pytest.mark.e2e
AXE = Axe()


@dataclass(frozen=True)
class SurveyServer:
    url: str
    settings: Settings
    engine: Engine
    inbox: Inbox
    admin_email: str
    token: str
    survey_id: int
    customer_id: int


def _seed(engine: Engine) -> tuple[str, str, int, int]:
    with uow.unit_of_work(engine) as session:
        admin = make_user(session, role=Role.admin, email="admin@example.com")
        _token, token = create_token(session, user=admin)
        ann = make_customer(session, name="Ann Lee", email="ann@example.com")
        survey = make_survey(session, key="delivery-nps")
        create_trigger(
            session,
            survey=survey,
            data=TriggerCreate(name="After delivery", type="Parcel Delivered", stage="delivery"),
        )
        return admin.email, token, survey.id, ann.id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SurveyServer]:
    """The whole stack on each database: SQLite in the data directory, or PostgreSQL."""
    database_url = None
    if request.param == "postgresql":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
        name = f"cxloop_e2e_surveys_{_worker()}"
        database_url = fresh_postgres_database(name)
        request.addfinalizer(lambda: drop_postgres_database(name))
    inbox = Inbox(port=free_port())
    smtp = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    smtp.start()
    port = free_port()
    data_dir: Path = tmp_path_factory.mktemp("e2e-surveys")
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="e2e-surveys-key",
        smtp_port=inbox.port,
        public_url=f"http://127.0.0.1:{port}",
    )
    app = create_app(settings)
    engine: Engine = app.state.engine
    admin_email, token, survey_id, customer_id = _seed(engine)
    web = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not web.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield SurveyServer(
            url=settings.public_url,
            settings=settings,
            engine=engine,
            inbox=inbox,
            admin_email=admin_email,
            token=token,
            survey_id=survey_id,
            customer_id=customer_id,
        )
    finally:
        web.should_exit = True
        thread.join(timeout=10)
        smtp.stop()
        engine.dispose()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # A page answered 4xx on purpose (a bad link) is logged as a failed load; tests check
        # those statuses themselves, and failed stylesheets or images are caught below.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response: PlaywrightResponse) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == [], f"browser errors (CSP, script or asset): {problems}"


def assert_accessible(page: Page) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.fixture
def api(server: SurveyServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        yield client


def test_trigger_email_browser_answer_timeline_and_rates(
    page: Page, server: SurveyServer, api: httpx.Client
) -> None:
    logged = api.post(
        "/api/v1/interactions",
        json={
            "customer": {"email": "ann@example.com"},
            "channel": "field",
            "type": "Parcel Delivered",
            "stage": "delivery",
            "message_id": "delivery-1",
        },
    )
    assert logged.status_code == 201, logged.text

    report = dispatch(server.engine, server.settings)
    assert (report.invited, report.sending.sent) == (1, 1)
    (email,) = server.inbox.to("ann@example.com")
    html = email.get_body(("html",)).get_content()  # type: ignore[union-attr]
    score_3 = re.search(r'href="([^"]+\?nps=3)"', html)
    assert score_3 is not None

    page.goto(score_3.group(1).replace("&amp;", "&"))  # the click in the email
    expect(page.get_by_role("heading", level=1)).to_have_text("How did we do?")
    expect(page.get_by_label("What went wrong?")).to_be_visible()  # the detractor branch
    expect(page.get_by_text("Would you review us online?")).to_have_count(0)
    assert_accessible(page)

    # Keyboard only: Tab to the comment, type, Tab into the ease scale, arrows, Enter.
    page.keyboard.press("Tab")
    expect(page.get_by_label("What went wrong?")).to_be_focused()
    page.keyboard.type("The parcel was left in the rain")
    page.keyboard.press("Tab")
    easy = page.get_by_role("group", name=re.compile("The company made it easy"))
    expect(easy.get_by_role("radio", name="1", exact=True)).to_be_focused()
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    expect(easy.get_by_role("radio", name="3", exact=True)).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Thank you!")
    assert_accessible(page)

    page.goto(score_3.group(1).replace("&amp;", "&"))  # the link again: single use
    expect(page.get_by_text("already been answered")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(server.admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{server.url}/customers/{server.customer_id}")
    newest = page.locator("ol.timeline > li.event").first
    expect(newest).to_contain_text("Survey Completed")
    expect(newest).to_contain_text("The parcel was left in the rain")

    rates = api.get(f"/api/v1/surveys/{server.survey_id}/rates?by=stage").json()
    assert [(r["group"], r["sent"], r["opened"], r["completed"]) for r in rates] == [
        ("delivery", 1, 1, 1)
    ]
    assert rates[0]["response_rate"] == 1.0


def test_a_qr_link_works_without_javascript_and_keeps_its_place(
    browser: Browser, server: SurveyServer, api: httpx.Client
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{server.url}/s/delivery-nps?channel=qr&place=store-12")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        page.get_by_role("radio", name="10", exact=True).check()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_text("Would you review us online?")).to_be_visible()
        page.get_by_role("radio", name="Yes").check()
        page.get_by_role("button", name="Continuer").click()
        expect(page.get_by_role("status")).to_have_text("Merci !")
    finally:
        context.close()
    answers = api.get(f"/api/v1/surveys/{server.survey_id}/responses").json()["items"]
    qr = [r for r in answers if r["channel"] == "qr"]
    assert [(r["place"], r["answers"], r["status"]) for r in qr] == [
        ("store-12", {"nps": 10, "review": "yes"}, "complete")
    ]


def test_a_bad_link_gets_a_clear_accessible_page(page: Page, server: SurveyServer) -> None:
    response = page.goto(f"{server.url}/s/i/not-a-real-token")
    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(page)


def test_the_site_widget_opens_the_survey_for_an_identified_visitor(
    page: Page, server: SurveyServer, api: httpx.Client
) -> None:
    page.set_content(
        "<!doctype html><html lang='en'><head><title>Brightwave shop</title>"
        f"<script src='{server.url}/static/survey-widget.js' defer data-survey='delivery-nps'"
        " data-anonymous-id='visitor-7' data-label='Give feedback'></script></head>"
        "<body><main><h1>Shop</h1></main></body></html>"
    )
    button = page.get_by_role("button", name="Give feedback")
    button.focus()
    with page.expect_popup() as opened:
        page.keyboard.press("Enter")
    survey = opened.value
    survey.wait_for_load_state()
    assert "/s/delivery-nps?channel=web&aid=visitor-7" in survey.url
    survey.get_by_role("radio", name="8", exact=True).check()
    survey.get_by_role("button", name="Continue").click()
    survey.get_by_role("button", name="Continue").click()
    expect(survey.get_by_role("status")).to_have_text("Thank you!")
    answers = api.get(f"/api/v1/surveys/{server.survey_id}/responses").json()["items"]
    web = [r for r in answers if r["channel"] == "web"]
    assert len(web) == 1 and web[0]["customer_id"] is not None  # a customer for visitor-7


def test_the_team_pages_are_accessible(page: Page, server: SurveyServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(server.admin_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Surveys", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    assert_accessible(page)
    page.get_by_role("link", name="Post-purchase NPS").click()
    expect(page.get_by_role("heading", name="Response funnel")).to_be_visible()
    page.get_by_text("Add a trigger").click()
    expect(page.get_by_label("Interaction type")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Preview the draft").click()
    expect(page.get_by_role("heading", name="Page 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Edit the draft").click()
    expect(page.get_by_role("heading", name="Add a question")).to_be_visible()
    page.get_by_text("Edit question why").click()  # a question's form, opened
    expect(page.locator("#q-why-text")).to_have_value("What went wrong?")
    assert_accessible(page)
    page.get_by_role("link", name="Advanced: edit as JSON").click()
    expect(page.get_by_label("Questions (JSON)")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{server.url}/surveys/new")
    assert_accessible(page)


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if target.evaluate("node => node === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with Tab")


def test_a_survey_built_published_and_answered_with_the_keyboard_only(
    browser: Browser, page: Page, server: SurveyServer
) -> None:
    """The editor's forms, a detractor branch and a French translation, then a French
    browser answering it and taking the branch; axe-clean all the way."""
    page.goto(f"{server.url}/login?next=/surveys")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(server.admin_email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="New survey"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Name", exact=True))
    page.keyboard.type("Case closed NPS")
    page.keyboard.press("Tab")
    page.keyboard.type("case-closed")
    expect(page.get_by_label("One NPS question (0 to 10), to build on")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Create draft"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit draft: Case closed NPS")
    assert_accessible(page)

    # The detractor branch: a free-text question shown when nps is at most 6.
    tab_to(page, page.locator("#new-id"))
    page.keyboard.type("why")
    tab_to(page, page.locator("#new-text"))
    page.keyboard.type("What went wrong?")
    tab_to(page, page.locator("#new-if-q"))
    page.keyboard.press("ArrowDown")  # (always) -> nps
    expect(page.locator("#new-if-q")).to_have_value("nps")
    expect(page.locator("#new-if-op")).to_have_value("lte")
    tab_to(page, page.locator("#new-if-value"))
    page.keyboard.type("6")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="why: What went wrong?")).to_be_visible()
    expect(page.get_by_text("shown when nps is at most 6")).to_be_visible()
    assert_accessible(page)

    tab_to(page, page.get_by_label("Language", exact=True))
    page.keyboard.type("fr")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Translate into fr")
    assert_accessible(page)
    french = {
        "Title in fr": "Comment était notre aide ?",
        "Thanks in fr": "Merci !",
        "Question 'nps' in fr": "Recommanderiez-vous notre service ?",
        "Question 'why' in fr": "Qu'est-ce qui n'a pas marché ?",
    }
    for label, text in french.items():
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(text)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Comment était notre aide ?")).to_be_visible()
    assert_accessible(page)  # the preview, in French
    tab_to(page, page.get_by_role("button", name="Publish this draft"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case closed NPS")
    expect(page.locator("dl.pairs")).to_contain_text("live")

    context = browser.new_context(locale="fr-FR")
    respondent = context.new_page()
    try:
        respondent.goto(f"{server.url}/s/case-closed")
        expect(respondent.locator("html")).to_have_attribute("lang", "fr")
        expect(respondent.get_by_role("heading", level=1)).to_have_text(
            "Comment était notre aide ?"
        )
        assert_accessible(respondent)
        scale = respondent.get_by_role("group", name=re.compile("Recommanderiez-vous"))
        tab_to(respondent, scale.get_by_role("radio", name="0", exact=True))
        for _ in range(3):
            respondent.keyboard.press("ArrowRight")
        expect(scale.get_by_role("radio", name="3", exact=True)).to_be_checked()
        expect(respondent.get_by_role("button", name="Continuer")).to_be_visible()
        respondent.keyboard.press("Enter")
        comment = respondent.get_by_label("Qu'est-ce qui n'a pas marché ?")
        expect(comment).to_be_visible()  # the detractor branch, in French
        assert_accessible(respondent)
        tab_to(respondent, comment)
        respondent.keyboard.type("Personne ne m'a rappelé")
        respondent.keyboard.press("Tab")
        respondent.keyboard.press("Enter")
        expect(respondent.get_by_role("status")).to_have_text("Merci !")
        assert_accessible(respondent)
    finally:
        context.close()

    with uow.unit_of_work(server.engine) as session:
        survey = survey_by_key(session, "case-closed")
        answered = session.scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        ).all()
        assert [(r.answers, r.status, r.locale) for r in answered] == [
            ({"nps": 3, "why": "Personne ne m'a rappelé"}, "complete", "fr")
        ]
