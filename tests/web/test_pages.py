from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.settings import Settings
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer, merge_into
from tests.interactions.factories import make_interaction, make_timeline
from tests.web.helpers import csrf_from, sign_in

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def user(session: Session):
    return make_user(session, role=Role.agent)


@pytest.fixture
def signed_in(client: TestClient, user) -> TestClient:
    response = sign_in(client, user.email)
    assert response.status_code == 303
    return client


def test_root_sends_visitors_to_sign_in_and_users_to_customers(client: TestClient, user) -> None:
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    sign_in(client, user.email)
    assert client.get("/", follow_redirects=False).headers["location"] == "/customers"


@pytest.mark.parametrize("path", ["/customers", "/customers/1", "/customers/1?channel=email"])
def test_pages_redirect_signed_out_visitors_to_sign_in(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login?next=")
    assert client.get(location).status_code == 200


def test_htmx_requests_get_a_client_redirect_when_signed_out(client: TestClient) -> None:
    response = client.get(
        "/customers/1/timeline?cursor=x", headers={"HX-Request": "true"}, follow_redirects=False
    )
    assert response.headers["hx-redirect"].startswith("/login")


def test_login_form_has_the_stable_field_names(client: TestClient) -> None:
    html = client.get("/login").text
    assert re.search(r'<input[^>]+name="email"', html)
    assert re.search(r'<input[^>]+name="password"[^>]+type="password"', html)
    assert re.search(r'<label for="email">', html) and re.search(r'<label for="password">', html)
    assert csrf_from(html)


def test_sign_in_then_out(client: TestClient, user) -> None:
    response = sign_in(client, user.email, next="/customers?q=ann")
    assert response.status_code == 303
    assert response.headers["location"] == "/customers?q=ann"
    page = client.get("/customers")
    assert page.status_code == 200
    assert user.email in page.text

    token = csrf_from(page.text)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/login"
    assert client.get("/customers", follow_redirects=False).status_code == 303


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client: TestClient, user) -> None:
    response = sign_in(client, user.email, password="wrong password")
    assert response.status_code == 400
    assert "Email or password is wrong." in response.text
    assert 'role="alert"' in response.text
    assert client.get("/customers", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(client: TestClient, user) -> None:
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.cookies.clear()
        response = sign_in(client, user.email, next=evil)
        assert response.headers["location"] == "/customers"


def test_posts_without_the_csrf_token_are_rejected(client: TestClient, user) -> None:
    client.get("/login")
    missing = client.post("/login", data={"email": user.email, "password": "x"})
    assert missing.status_code == 403
    assert "text/html" in missing.headers["content-type"]
    forged = client.post(
        "/login", data={"email": user.email, "password": "x", "csrf_token": "forged"}
    )
    assert forged.status_code == 403

    sign_in(client, user.email)
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.get("/customers", follow_redirects=False).status_code == 200  # still in


def test_sign_in_rotates_the_csrf_token(client: TestClient, user) -> None:
    before = csrf_from(client.get("/login").text)
    sign_in(client, user.email)
    after = csrf_from(client.get("/customers").text)
    assert before != after


def test_search_page_finds_by_identity_and_escapes(signed_in: TestClient, session: Session) -> None:
    ann = make_customer(session, name=f"Ann {HOSTILE}", email="ann@example.com")
    make_customer(session, name="Bob", email="bob@example.com")
    page = signed_in.get("/customers", params={"q": "ANN@example.com"})
    assert page.status_code == 200
    assert f'href="/customers/{ann.id}"' in page.text
    assert "bob@example.com" not in page.text
    assert HOSTILE not in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert 'role="search"' in page.text
    empty = signed_in.get("/customers", params={"q": "<b>nobody</b>"})
    assert "<b>nobody</b>" not in empty.text
    assert "&lt;b&gt;nobody&lt;/b&gt;" in empty.text
    assert "No customer matches" in empty.text


def test_search_pages_through_results(signed_in: TestClient, session: Session) -> None:
    made = [make_customer(session, name=f"Pager {i}").id for i in range(30)]
    first = signed_in.get("/customers", params={"q": "Pager"}).text
    found = re.findall(r'href="/customers/(\d+)"', first)
    assert len(found) == 25
    next_url = re.search(r'href="(/customers\?q=Pager&amp;cursor=[^"]+)"', first)
    assert next_url
    second = signed_in.get(next_url.group(1).replace("&amp;", "&")).text
    found += re.findall(r'href="/customers/(\d+)"', second)
    assert sorted(int(i) for i in found) == sorted(made)


def test_customer_page_shows_profile_identities_chart_and_timeline(
    signed_in: TestClient, session: Session
) -> None:
    ann = make_customer(
        session,
        name="Ann Lee",
        email="ann@example.com",
        traits={"plan": "gold", "tags": ["vip"]},
        identities=[("external", "cus_1", "stripe")],
    )
    make_timeline(session, customer_id=ann.id, count=30)
    page = signed_in.get(f"/customers/{ann.id}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Ann Lee</h1>" in html
    assert "stripe" in html and "cus_1" in html
    assert "[&#34;vip&#34;]" in html  # structured traits as JSON, not Python repr
    assert '<svg role="img" aria-labelledby="journey-title journey-desc"' in html
    assert '<title id="journey-title">' in html
    assert "<caption>Interactions per journey stage</caption>" in html
    assert html.count('class="event ') == 25
    assert "Load older interactions" in html
    assert "Channel: </span>Email" in html
    assert "Stage: </span>Purchase" in html
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert not re.search(r'(src|href)="(https?:)?//', html), "nothing may load from elsewhere"


def test_load_more_appends_the_next_items_then_ends(
    signed_in: TestClient, session: Session
) -> None:
    ann = make_customer(session)
    made = make_timeline(session, customer_id=ann.id, count=30)
    html = signed_in.get(f"/customers/{ann.id}").text
    partial_url = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    more = signed_in.get(partial_url, headers={"HX-Request": "true"})
    assert more.status_code == 200
    assert "<html" not in more.text
    ids = re.findall(r'id="interaction-(\d+)"', html) + re.findall(
        r'id="interaction-(\d+)"', more.text
    )
    assert sorted(int(i) for i in ids) == sorted(i.id for i in made)
    assert "data-focus-after-load" in more.text
    assert "That is the whole timeline." in more.text
    assert 'hx-swap-oob="true"' in more.text

    # Without JavaScript the same link is a page of its own.
    page_url = re.search(r'<a href="([^"]+)" hx-get', html).group(1).replace("&amp;", "&")
    older = signed_in.get(page_url)
    assert older.text.count('class="event ') == 5
    assert "Back to the newest interactions" in older.text
    plain = signed_in.get(partial_url, follow_redirects=False)
    assert plain.status_code == 303


def test_timeline_filters_work_as_plain_get_forms(signed_in: TestClient, session: Session) -> None:
    ann = make_customer(session)
    make_timeline(session, customer_id=ann.id, count=20)
    html = signed_in.get(
        f"/customers/{ann.id}", params={"channel": ["email", "phone"], "stage": "awareness"}
    ).text
    channels = set(re.findall(r'class="event chan-(\w+)"', html))
    assert channels == {"email", "phone"}
    assert re.search(r'value="email" checked', html)
    assert "Clear filters" in html
    dated = signed_in.get(
        f"/customers/{ann.id}", params={"since": "2024-01-01", "until": "2024-01-01"}
    ).text
    assert dated.count('class="event ') == 15  # 09:00 to 23:00 on the 1st
    bad = signed_in.get(f"/customers/{ann.id}", params={"since": "yesterday"})
    assert bad.status_code == 200
    assert "From date must look like 2024-12-31." in bad.text


def test_hostile_text_is_escaped_everywhere(signed_in: TestClient, session: Session) -> None:
    ann = make_customer(session, name=HOSTILE, traits={HOSTILE: HOSTILE})
    make_interaction(
        session,
        customer_id=ann.id,
        type=HOSTILE,
        text=f"hello {HOSTILE}",
        agent=HOSTILE,
        channel="chat",
        assisted=True,
    )
    html = signed_in.get(f"/customers/{ann.id}").text
    assert HOSTILE not in html
    assert html.count("&lt;script&gt;") >= 5
    assert "<script>" not in html.replace('<script src="/static/', "")


def test_a_merged_id_redirects_to_the_survivor(signed_in: TestClient, session: Session) -> None:
    ann = make_customer(session)
    duplicate = make_customer(session)
    merge_into(session, duplicate, ann)
    response = signed_in.get(f"/customers/{duplicate.id}?channel=email", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/customers/{ann.id}?channel=email"


def test_unknown_customer_is_an_html_404(signed_in: TestClient) -> None:
    for path in ("/customers/999999999", "/customers/not-a-number"):
        response = signed_in.get(path)
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert "<h1>" in response.text


def test_nav_is_shared_and_marks_the_current_page(signed_in: TestClient) -> None:
    html = signed_in.get("/customers").text
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert '<a href="/customers" aria-current="page">Customers</a>' in html
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


def test_static_assets_are_vendored(client: TestClient) -> None:
    htmx = client.get("/static/htmx.min.js")
    assert htmx.status_code == 200
    assert "htmx" in htmx.text
    assert client.get("/static/htmx.LICENSE").status_code == 200
    assert client.get("/static/app.css").status_code == 200


def test_chart_axis_labels_are_distinct_for_short_journeys(
    signed_in: TestClient, session: Session
) -> None:
    ann = make_customer(session)
    make_timeline(session, customer_id=ann.id, count=30)  # 30 hours
    html = signed_in.get(f"/customers/{ann.id}").text
    ticks = re.findall(r'text-anchor="middle" fill="#374151">([^<]+)<', html)
    assert len(ticks) == 4
    assert len(set(ticks)) == 4


def test_times_show_in_the_company_time_zone(
    client: TestClient, session: Session, user, settings
) -> None:
    settings.default_timezone = "Europe/Paris"
    customer = make_customer(session)
    make_interaction(
        session, customer_id=customer.id, occurred_at=datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    )
    sign_in(client, user.email)

    html = client.get(f"/customers/{customer.id}").text

    assert "2026-07-01 14:30 CEST" in html
    assert 'datetime="2026-07-01T12:30:00+00:00"' in html


def test_an_unknown_time_zone_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="IANA name"):
        Settings(default_timezone="Mars/Olympus")


def test_a_viewer_sees_the_customer_page_masked_and_texts_withheld(
    client: TestClient, session: Session
) -> None:
    viewer = make_user(session, role=Role.viewer)
    customer = make_customer(session, name="Ann Lee", email="ann@example.com")
    make_interaction(session, customer_id=customer.id, text="Call me at home")
    sign_in(client, viewer.email)

    html = client.get(f"/customers/{customer.id}").text

    assert "Personal data is masked for your role." in html
    assert "A. L." in html and "a•••@example.com" in html
    assert "ann@example.com" not in html and "Ann Lee" not in html
    assert "Call me at home" not in html and "Text withheld" in html
