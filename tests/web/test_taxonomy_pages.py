"""The topics page: the taxonomy as a tree, added to, edited, moved and deleted by those who
manage understanding, and tried on sample texts by anyone who reads it."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cxloop.accounts import Role, create_role
from cxloop.app import create_app
from cxloop.understanding import list_topics, read_topic
from tests.accounts.factories import make_user
from tests.understanding.factories import make_billing_and_delivery, make_topic, path, settings_for
from tests.web.helpers import csrf_from, sign_in

TOPICS = "/text/topics"


@pytest.fixture
def web(connection: Connection, tmp_path: Path) -> Iterator[TestClient]:
    """The app with the shipped models that the tests build once per machine."""
    app = create_app(settings_for(tmp_path), engine=connection, migrate=False)
    with TestClient(app) as client:
        yield client


def signed_in(client: TestClient, session: Session, role: Role) -> str:
    """Sign in with ``role`` and return the CSRF token of the topics page."""
    sign_in(client, make_user(session, role=role).email, next=TOPICS)
    return csrf_from(client.get(TOPICS).text)


def text_of(response_html: str) -> str:
    return html.unescape(response_html)


def test_the_topics_page_needs_sign_in_and_understanding_read(
    web: TestClient, session: Session
) -> None:
    answer = web.get(TOPICS, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    create_role(session, name="auditor", permissions=["audit.read"])
    sign_in(web, make_user(session, role="auditor").email, next="/privacy/audit")
    refused = web.get(TOPICS)
    assert refused.status_code == 403 and "understanding.read" in refused.text


def test_the_tree_shows_parents_children_descriptions_and_examples(
    web: TestClient, session: Session
) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    signed_in(web, session, Role.viewer)
    page = text_of(web.get(TOPICS).text)
    assert "Your topics (3)" in page
    # Unexpected charge is nested inside Billing's list item, Delivery is not.
    billing_item = page[
        page.index(f'id="topic-{billing.id}"') : page.index(f'id="topic-{delivery.id}"')
    ]
    assert f'id="topic-{charge.id}"' in billing_item
    assert "invoices, charges and payments" in billing_item
    assert "“you charged me twice”" in billing_item
    assert "parcels, couriers and shipping delays" in page
    assert 'href="/text/topics"' in web.get("/text").text  # reached from text analytics


def test_a_viewer_sees_no_editing_and_every_change_is_refused(
    web: TestClient, session: Session
) -> None:
    billing, _, _ = make_billing_and_delivery(session)
    token = signed_in(web, session, Role.viewer)
    page = web.get(TOPICS).text
    assert "Add a topic" not in page and "/edit" not in page and "/delete" not in page
    assert "Try it" in page  # trying needs only understanding.read
    assert web.get(f"{TOPICS}/{billing.id}/edit").status_code == 403
    assert web.get(f"{TOPICS}/{billing.id}/delete").status_code == 403
    posts = {
        TOPICS: {"name": "Sneaky"},
        f"{TOPICS}/{billing.id}/edit": {"name": "Renamed"},
        f"{TOPICS}/{billing.id}/delete": {},
    }
    for url, data in posts.items():
        refused = web.post(url, data={"csrf_token": token, **data})
        assert refused.status_code == 403, url
        assert "understanding.manage" in refused.text
    assert [t.name for t in list_topics(session)] == ["Billing", "Unexpected charge", "Delivery"]


def test_every_change_needs_the_forms_csrf_token(web: TestClient, session: Session) -> None:
    billing, _, _ = make_billing_and_delivery(session)
    signed_in(web, session, Role.analyst)
    for url in (TOPICS, f"{TOPICS}/{billing.id}/edit", f"{TOPICS}/{billing.id}/delete"):
        refused = web.post(url, data={"name": "Forged"})
        assert refused.status_code == 403 and "Form expired" in refused.text, url
    assert read_topic(session, billing.id).name == "Billing"
    assert web.post(f"{TOPICS}/try", data={"samples": "hello"}).status_code == 403


def test_an_analyst_adds_a_topic_with_its_examples_under_a_parent(
    web: TestClient, session: Session
) -> None:
    billing, _, _ = make_billing_and_delivery(session)
    token = signed_in(web, session, Role.analyst)
    added = web.post(
        TOPICS,
        data={
            "csrf_token": token,
            "name": "  Refund ",
            "description": "money back, credit notes",
            "parent_id": str(billing.id),
            "examples": "where is my refund\n\n  I want my money back  \n",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    refund = next(t for t in list_topics(session) if t.name == "Refund")
    assert added.headers["location"] == f"{TOPICS}?done=added#topic-{refund.id}"
    assert refund.path == path("Billing", "Refund")
    assert refund.examples == ["where is my refund", "I want my money back"]
    page = web.get(added.headers["location"]).text
    assert "Topic added." in page and f'id="topic-{refund.id}"' in page


def test_a_mistake_is_shown_beside_its_field_with_what_was_typed(
    web: TestClient, session: Session
) -> None:
    billing, _, _ = make_billing_and_delivery(session)
    token = signed_in(web, session, Role.analyst)
    blank = web.post(TOPICS, data={"csrf_token": token, "name": "  ", "examples": "kept\n"})
    assert blank.status_code == 422
    assert '<p class="error" id="add-name-error">a topic needs a name</p>' in blank.text
    assert 'aria-invalid="true"' in blank.text and ">kept\n</textarea>" in blank.text

    twin = web.post(
        TOPICS,
        data={"csrf_token": token, "name": "unexpected CHARGE", "parent_id": str(billing.id)},
    )
    assert twin.status_code == 422
    assert "already a topic &#39;Unexpected charge&#39; under this parent" in twin.text
    assert 'id="add-name-error"' in twin.text and 'value="unexpected CHARGE"' in twin.text
    assert f'<option value="{billing.id}" selected>Billing</option>' in twin.text

    gone = web.post(TOPICS, data={"csrf_token": token, "name": "Orphan", "parent_id": "99999"})
    assert gone.status_code == 422 and 'id="add-parent_id-error"' in gone.text
    assert len(list_topics(session)) == 3


def test_editing_renames_teaches_examples_and_moves_a_topic(
    web: TestClient, session: Session
) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    fee = make_topic(session, "Card fee", parent=charge)
    token = signed_in(web, session, Role.analyst)
    form = web.get(f"{TOPICS}/{charge.id}/edit").text
    assert "you charged me twice\nthere is a fee I did not agree to</textarea>" in text_of(form)
    # A topic cannot go under itself or its subtopics, so neither is offered.
    assert f'<option value="{billing.id}" selected>' in form
    assert f'value="{charge.id}"' not in form and f'value="{fee.id}"' not in form

    saved = web.post(
        f"{TOPICS}/{charge.id}/edit",
        data={
            "csrf_token": token,
            "name": "Surprise charge",
            "description": "charged more than agreed",
            "parent_id": str(delivery.id),
            "examples": "you charged me twice\nshipping fee I never agreed to",
        },
        follow_redirects=False,
    )
    assert saved.headers["location"] == f"{TOPICS}?done=saved#topic-{charge.id}"
    moved = read_topic(session, charge.id)
    assert moved.path == path("Delivery", "Surprise charge")
    assert moved.examples == ["you charged me twice", "shipping fee I never agreed to"]
    assert read_topic(session, fee.id).path == path("Delivery", "Surprise charge", "Card fee")

    to_top = web.post(
        f"{TOPICS}/{charge.id}/edit",
        data={"csrf_token": token, "name": "Surprise charge", "parent_id": ""},
        follow_redirects=False,
    )
    assert to_top.status_code == 303 and read_topic(session, charge.id).parent_id is None


def test_an_edit_that_would_break_the_tree_is_refused_beside_the_field(
    web: TestClient, session: Session
) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    token = signed_in(web, session, Role.analyst)
    own_child = web.post(
        f"{TOPICS}/{billing.id}/edit",
        data={"csrf_token": token, "name": "Billing", "parent_id": str(charge.id)},
    )
    assert own_child.status_code == 422
    assert "under one of its own subtopics" in own_child.text
    assert 'id="edit-parent_id-error"' in own_child.text

    taken = web.post(f"{TOPICS}/{delivery.id}/edit", data={"csrf_token": token, "name": "BILLING"})
    assert taken.status_code == 422 and 'id="edit-name-error"' in taken.text
    blank = web.post(f"{TOPICS}/{delivery.id}/edit", data={"csrf_token": token, "name": ""})
    assert blank.status_code == 422 and "a topic needs a name" in blank.text
    assert read_topic(session, billing.id).parent_id is None
    assert read_topic(session, delivery.id).name == "Delivery"


def test_deleting_asks_first_and_says_what_goes_with_it(web: TestClient, session: Session) -> None:
    billing, charge, delivery = make_billing_and_delivery(session)
    fee = make_topic(session, "Card fee", parent=charge)
    token = signed_in(web, session, Role.analyst)
    confirm = text_of(web.get(f"{TOPICS}/{billing.id}/delete").text)
    assert "Its 2 subtopics will be deleted with it:" in confirm
    assert path("Billing", "Unexpected charge", "Card fee") in confirm
    assert "Delete Billing and 2 subtopics" in confirm
    assert "It has no subtopics." in web.get(f"{TOPICS}/{delivery.id}/delete").text

    deleted = web.post(
        f"{TOPICS}/{billing.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert deleted.headers["location"] == f"{TOPICS}?done=deleted"
    assert [t.id for t in list_topics(session)] == [delivery.id]
    assert web.get(f"{TOPICS}/{fee.id}/delete").status_code == 404


def test_trying_sample_texts_shows_each_ones_topics_with_confidence(
    web: TestClient, session: Session
) -> None:
    make_billing_and_delivery(session)
    token = signed_in(web, session, Role.viewer)
    tried = web.post(
        f"{TOPICS}/try",
        data={
            "csrf_token": token,
            "samples": "You charged me twice this month!\n\n"
            "my parcel is late, call me on +1 415 555 0132\n"
            "What a lovely sunny day",
        },
    )
    assert tried.status_code == 200
    page = text_of(tried.text)
    assert "2 of 3 texts matched a topic" in page
    rows = page[page.index("<tbody>") : page.index("</tbody>")].split("<tr>")[1:]
    assert path("Billing", "Unexpected charge") in rows[0]
    assert "Delivery" in rows[1] and "[PHONE]" in rows[1] and "555 0132" not in rows[1]
    assert "other: no topic fits" in rows[2]
    assert '<span class="confidence">0.' in rows[0]
    assert "You charged me twice this month!\n\nmy parcel" in page  # the texts stay to adjust


def test_trying_with_no_text_or_too_many_says_so_beside_the_box(
    web: TestClient, session: Session
) -> None:
    token = signed_in(web, session, Role.viewer)
    empty = web.post(f"{TOPICS}/try", data={"csrf_token": token, "samples": " \n "})
    assert empty.status_code == 422
    assert '<p class="error" id="try-samples-error">paste at least one text' in empty.text
    many = web.post(f"{TOPICS}/try", data={"csrf_token": token, "samples": "\n".join(["hi"] * 101)})
    assert many.status_code == 422 and "at most 100 texts at a time; there are 101" in many.text
