"""The agent workspace over HTTP: queues and case pages in department scope, every action a
CSRF-checked form, refusals shown next to the field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department, User
from cxloop.cases import Case, CaseEvent, CaseLink, CaseMessage, ReplyTemplate
from cxloop.types import utcnow
from tests.accounts.factories import make_user
from tests.cases.factories import make_agent, make_department, make_interaction, make_team
from tests.cases.queue_factories import make_queued_case
from tests.customers.factories import make_customer
from tests.web.helpers import csrf_from, sign_in


@pytest.fixture
def billing(session: Session) -> Department:
    return make_department(session, "billing")


@pytest.fixture
def agent(session: Session, billing: Department) -> User:
    return make_agent(session, billing)


def signed_in(client: TestClient, user: User, page: str = "/cases") -> str:
    sign_in(client, user.email)
    answer = client.get(page)
    assert answer.status_code == 200, answer.text
    return csrf_from(answer.text)


def test_the_queue_lists_the_agents_cases_with_counts_and_deadlines(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    delivery = make_team(session, "delivery")
    customer = make_customer(session, name="Ann Lee", email="ann@example.com")
    now = utcnow()
    make_queued_case(
        session,
        department=billing,
        customer=customer,
        subject="Charged twice",
        assignee=agent,
        resolution_due=now - timedelta(hours=1),
    )
    make_queued_case(session, department=billing, subject="Refund please")
    make_queued_case(session, department=delivery, subject="Parcel lost")

    page = client.get("/cases")
    assert page.status_code == 200 and "/login" in str(page.url)  # signed out: sign in first
    signed_in(client, agent)
    html = client.get("/cases").text

    assert "Charged twice" in html and "Refund please" in html
    assert "Parcel lost" not in html
    assert "Ann Lee" in html  # agents may read personal data
    assert "resolution breached" in html
    assert 'href="/cases?view=mine"' in html and "My open cases" in html
    assert '<a href="/cases" aria-current="page">Cases</a>' in html  # in the navigation
    live = client.get("/cases/live", params={"view": "mine"}, headers={"HX-Request": "true"})
    assert "Charged twice" in live.text and "Refund please" not in live.text
    assert 'hx-swap-oob="true"' in live.text


def test_viewers_see_customers_masked_and_no_forms(
    client: TestClient, session: Session, billing: Department
) -> None:
    viewer = make_user(session, role="viewer", departments=["billing"])
    customer = make_customer(session, name="Ann Lee", email="ann@example.com")
    case = make_queued_case(session, department=billing, customer=customer, subject="Late")
    signed_in(client, viewer)

    assert "Ann Lee" not in client.get("/cases").text
    assert "A. L." in client.get("/cases").text
    html = client.get(f"/cases/{case.id}").text
    assert "Ann Lee" not in html and "Personal data is masked" in html
    assert f'action="/cases/{case.id}/reply"' not in html


def test_the_filter_form_explains_what_it_cannot_use(
    client: TestClient, session: Session, agent: User
) -> None:
    signed_in(client, agent)
    html = client.get("/cases", params={"view": "nope", "status": "lost", "assignee": "x"}).text
    assert "There is no view" in html
    assert "Choose me, unassigned or a person" in html


def test_another_departments_case_is_not_found(
    client: TestClient, session: Session, agent: User
) -> None:
    other = make_queued_case(session, department=make_department(session, "delivery"))
    token = signed_in(client, agent)

    assert client.get(f"/cases/{other.id}").status_code == 404
    refused = client.post(f"/cases/{other.id}/note", data={"text": "peek", "csrf_token": token})
    assert refused.status_code == 404
    assert session.scalar(select(CaseEvent).where(CaseEvent.case_id == other.id)) is None


def test_people_without_cases_read_are_refused(client: TestClient, session: Session) -> None:
    nobody = make_user(session, role="viewer")
    make_queued_case(session, department=None)
    sign_in(client, nobody.email)
    assert client.get("/cases").status_code == 200  # viewers read cases, of no department here
    assert "No cases here" in client.get("/cases").text


def test_a_form_without_the_csrf_token_is_refused(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    case = make_queued_case(session, department=billing)
    signed_in(client, agent)
    refused = client.post(f"/cases/{case.id}/note", data={"text": "hello"})
    assert refused.status_code == 403 and "Form expired" in refused.text


def test_the_case_page_shows_enrichment_history_and_the_timeline(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    customer = make_customer(session, name="Ann Lee")
    cause = make_interaction(
        session,
        customer=customer,
        text="I was charged twice, call me on +33 6 12 34 56 78",
        enrichment={
            "redacted": "I was charged twice, call me on [PHONE]",
            "sentiment": "negative",
            "emotion": "anger",
            "urgency": "high",
            "topics": [{"name": "Unexpected charge", "path": "Billing > Unexpected charge"}],
        },
    )
    make_interaction(session, customer=customer, channel="chat", text="Hello from chat")
    case = make_queued_case(session, department=billing, customer=customer, subject="Charged twice")
    session.add(CaseLink(case_id=case.id, interaction_id=cause.id, role="cause"))
    session.flush()
    viewer = make_user(session, role="viewer", departments=["billing"])

    signed_in(client, agent)
    html = client.get(f"/cases/{case.id}").text
    assert "Sentiment: negative" in html and "Emotion: anger" in html
    assert "Billing &gt; Unexpected charge" in html and "Urgency: high" in html
    assert "[PHONE]" in html and "+33 6 12 34 56 78" in html  # agents read raw text too
    assert "Hello from chat" in html  # the whole cross-channel timeline

    client.cookies.clear()
    signed_in(client, viewer)
    html = client.get(f"/cases/{case.id}").text
    assert "[PHONE]" in html and "+33 6 12 34 56 78" not in html


def test_reply_with_a_template_then_wait_on_the_customer(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    session.add(
        ReplyTemplate(key="sorry", name="Apology", subject="About your bill", body="We are sorry.")
    )
    case = make_queued_case(session, department=billing, assignee=agent)
    token = signed_in(client, agent, f"/cases/{case.id}")

    filled = client.get(
        f"/cases/{case.id}", params={"template": session.scalar(select(ReplyTemplate.id))}
    )
    assert ">We are sorry.</textarea>" in filled.text

    sent = client.post(
        f"/cases/{case.id}/reply",
        data={"body": "We are sorry.", "subject": "", "then": "waiting", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/cases/{case.id}?done=reply#reply"
    html = client.get(sent.headers["location"]).text
    assert "Your answer is queued for delivery." in html
    assert "We are sorry." in html and "queued" in html
    session.refresh(case)
    assert case.status == "waiting"
    message = session.scalar(select(CaseMessage).where(CaseMessage.case_id == case.id))
    assert message is not None and message.status == "queued"


def test_an_empty_answer_is_explained_next_to_the_field(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    case = make_queued_case(session, department=billing)
    token = signed_in(client, agent, f"/cases/{case.id}")

    answer = client.post(
        f"/cases/{case.id}/reply", data={"body": "  ", "then": "waiting", "csrf_token": token}
    )

    assert answer.status_code == 422
    assert 'id="reply-body" name="body" rows="8" aria-invalid="true"' in answer.text
    assert 'id="reply-body-error">an answer needs some text' in answer.text
    assert session.scalar(select(CaseMessage).where(CaseMessage.case_id == case.id)) is None


def test_notes_status_priority_tags_assignment_and_transfer(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    delivery = make_team(session, "delivery")
    colleague = make_agent(session, billing)
    case = make_queued_case(session, department=billing, status="new")
    token = signed_in(client, agent, f"/cases/{case.id}")

    def post(action: str, **data: str) -> int:
        answer = client.post(
            f"/cases/{case.id}/{action}", data={**data, "csrf_token": token}, follow_redirects=False
        )
        return answer.status_code

    assert post("note", text="Customer is a VIP") == 303
    assert post("priority", priority="urgent") == 303
    assert post("tags", tags="vip, billing ,") == 303
    assert post("assign", assignee_id=str(colleague.id)) == 303
    assert post("status", status="open") == 303
    session.refresh(case)
    assert (case.priority, case.tags, case.assignee_id, case.status) == (
        "urgent",
        ["billing", "vip"],
        colleague.id,
        "open",
    )
    html = client.get(f"/cases/{case.id}").text
    assert "Customer is a VIP" in html and f"assigned to {colleague.email}" in html

    assert post("status", status="reopened") == 409  # open cases cannot be reopened
    assert post("transfer", department_id=str(delivery.id)) == 303
    session.refresh(case)
    assert case.department_id == delivery.id
    assert client.get(f"/cases/{case.id}").status_code == 404  # out of the agent's scope now


def test_a_refused_change_is_explained_next_to_its_field(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    case = make_queued_case(session, department=billing)
    outsider = make_user(session, role="agent")
    token = signed_in(client, agent, f"/cases/{case.id}")

    answer = client.post(
        f"/cases/{case.id}/assign", data={"assignee_id": str(outsider.id), "csrf_token": token}
    )
    assert answer.status_code == 422
    assert 'id="assign-assignee_id-error">' in answer.text
    assert "cannot take cases of this department" in answer.text

    merged = client.post(f"/cases/{case.id}/merge", data={"into": "abc", "csrf_token": token})
    assert merged.status_code == 422 and 'id="merge-into-error">' in merged.text


def test_merge_into_a_duplicate_of_the_same_customer(
    client: TestClient, session: Session, billing: Department, agent: User
) -> None:
    customer = make_customer(session)
    keep = make_queued_case(session, department=billing, customer=customer)
    duplicate = make_queued_case(session, department=billing, customer=customer)
    hidden = make_queued_case(
        session, department=make_department(session, "delivery"), customer=customer
    )
    token = signed_in(client, agent, f"/cases/{duplicate.id}")

    out_of_scope = client.post(
        f"/cases/{duplicate.id}/merge", data={"into": str(hidden.id), "csrf_token": token}
    )
    assert out_of_scope.status_code == 422  # as if it did not exist
    merged = client.post(
        f"/cases/{duplicate.id}/merge",
        data={"into": str(keep.id), "csrf_token": token},
        follow_redirects=False,
    )
    assert merged.headers["location"] == f"/cases/{keep.id}?done=merge"
    session.refresh(duplicate)
    assert (duplicate.merged_into_id, duplicate.status) == (keep.id, "closed")
    redirect = client.get(f"/cases/{duplicate.id}", follow_redirects=False)
    assert redirect.headers["location"] == f"/cases/{keep.id}"


def test_viewers_cannot_act(client: TestClient, session: Session, billing: Department) -> None:
    viewer = make_user(session, role="viewer", departments=["billing"])
    case = make_queued_case(session, department=billing)
    token = signed_in(client, viewer, f"/cases/{case.id}")
    answer = client.post(f"/cases/{case.id}/note", data={"text": "hi", "csrf_token": token})
    assert answer.status_code == 403
    assert session.get(Case, case.id) is not None
