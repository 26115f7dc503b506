"""Answers and templates over HTTP: an agent resends a failed answer of their department's
case (and only a failed one); team leads keep the reply templates, agents read them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.cases import CaseMessage, reply
from tests.api.test_cases import PROBLEM, token_for
from tests.cases.factories import directory, make_agent, make_case, make_department


@pytest.fixture
def billing(session: Session) -> Department:
    return make_department(session, "billing")


def failed_answer(session: Session, department: Department) -> CaseMessage:
    agent = make_agent(session, department)
    case = make_case(session, department=department, text="Where is my refund?")
    message = reply(directory(session), case.id, author=agent, body="It left today.")
    session.execute(
        update(CaseMessage)
        .where(CaseMessage.id == message.id)
        .values(status="failed", attempts=1, error="the customer has no email address")
    )
    session.expire_all()
    return message


def test_an_agent_resends_a_failed_answer_of_their_department(
    client: TestClient, session: Session, billing: Department
) -> None:
    message = failed_answer(session, billing)
    agent = token_for(session, "agent", [billing])
    path = f"/api/v1/cases/{message.case_id}/messages/{message.id}/retry"

    resent = client.post(path, headers=agent["headers"])

    assert resent.status_code == 202, resent.text
    body = resent.json()
    assert (body["id"], body["status"], body["attempts"], body["error"]) == (
        message.id,
        "queued",
        0,
        None,
    )
    again = client.post(path, headers=agent["headers"])
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM
    assert "only a failed one is resent" in again.json()["detail"]


def test_another_departments_answer_or_another_cases_answer_does_not_exist(
    client: TestClient, session: Session, billing: Department
) -> None:
    message = failed_answer(session, billing)
    other = failed_answer(session, make_department(session, "shipping"))
    outsider = token_for(session, "agent", [make_department(session, "retention")])
    agent = token_for(session, "agent", [billing])

    hidden = client.post(
        f"/api/v1/cases/{message.case_id}/messages/{message.id}/retry",
        headers=outsider["headers"],
    )
    elsewhere = client.post(
        f"/api/v1/cases/{message.case_id}/messages/{other.id}/retry", headers=agent["headers"]
    )

    assert (hidden.status_code, elsewhere.status_code) == (404, 404)
    session.expire_all()
    untouched = session.get(CaseMessage, other.id)
    assert untouched is not None and untouched.status == "failed"


def template(**fields: Any) -> dict[str, Any]:
    return {
        "key": "refund",
        "name": "Refund on its way",
        "subject": "Your refund",
        "body": "Hello $customer_first_name, your refund left today.",
        **fields,
    }


def test_a_team_lead_keeps_templates_and_agents_read_them(
    client: TestClient, session: Session, billing: Department
) -> None:
    lead = token_for(session, "admin")["headers"]
    agent = token_for(session, "agent", [billing])["headers"]

    made = client.post("/api/v1/reply-templates", json=template(), headers=lead)
    french = client.post(
        "/api/v1/reply-templates",
        json=template(language="fr", body="Bonjour $customer_first_name, c'est parti."),
        headers=lead,
    )
    assert (made.status_code, french.status_code) == (201, 201), made.text
    template_id = made.json()["id"]
    edited = client.put(
        f"/api/v1/reply-templates/{template_id}",
        json=template(body="Hi $customer_first_name, the refund is on its way."),
        headers=lead,
    )
    assert edited.status_code == 200, edited.text

    listed = client.get("/api/v1/reply-templates", params={"key": "refund"}, headers=agent)
    assert listed.status_code == 200
    assert [(t["language"], t["body"]) for t in listed.json()] == [
        ("en", "Hi $customer_first_name, the refund is on its way."),
        ("fr", "Bonjour $customer_first_name, c'est parti."),
    ]

    removed = client.delete(f"/api/v1/reply-templates/{template_id}", headers=lead)
    assert removed.status_code == 204
    left = client.get("/api/v1/reply-templates", headers=agent).json()
    assert [t["language"] for t in left] == ["fr"]


def test_templates_refuse_what_would_reach_a_customer_wrong(
    client: TestClient, session: Session, billing: Department
) -> None:
    lead = token_for(session, "admin")["headers"]
    agent = token_for(session, "agent", [billing])["headers"]
    made = client.post("/api/v1/reply-templates", json=template(), headers=lead)
    template_id = made.json()["id"]
    client.post("/api/v1/reply-templates", json=template(language="de"), headers=lead)

    typo = client.put(
        f"/api/v1/reply-templates/{template_id}",
        json=template(body="Hello $custmer_name"),
        headers=lead,
    )
    twin = client.put(
        f"/api/v1/reply-templates/{template_id}", json=template(language="de"), headers=lead
    )
    by_agent = client.post("/api/v1/reply-templates", json=template(key="x"), headers=agent)
    missing = client.delete("/api/v1/reply-templates/999999", headers=lead)

    assert typo.status_code == 422 and typo.headers["content-type"] == PROBLEM
    assert "unknown variable $custmer_name" in typo.json()["detail"]
    assert twin.status_code == 409
    assert by_agent.status_code == 403
    assert missing.status_code == 404
    unchanged = client.get("/api/v1/reply-templates", params={"key": "refund"}, headers=lead)
    assert [t["body"] for t in unchanged.json()] == [template()["body"]] * 2
