"""The alerts page: analysts add, edit and remove rules with errors beside the field;
viewers see the rules but no form and cannot post one."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.insights import list_rules
from tests.accounts.factories import make_user
from tests.insights.alert_factories import make_report, make_rule
from tests.web.helpers import csrf_from, sign_in

FORM = {
    "name": "Store NPS under zero", "metric": "nps", "kind": "below", "threshold": "0",
    "by": "channel", "filters": "", "days": "7", "addresses": "cx-team@example.com\n",
    "webhook_url": "", "webhook_format": "chat", "active": "on",
}  # fmt: skip


def signed_in(client: TestClient, session: Session, role: str) -> str:
    sign_in(client, make_user(session, role=role).email, next="/alerts")
    return csrf_from(client.get("/alerts").text)


def test_an_analyst_adds_a_rule_then_edits_and_removes_it(
    client: TestClient, session: Session
) -> None:
    token = signed_in(client, session, "analyst")
    added = client.post("/alerts", data=FORM | {"csrf_token": token}, follow_redirects=True)
    assert "Alert rule added." in added.text
    [rule] = list_rules(session)
    assert (rule.kind, rule.threshold, rule.by, rule.addresses) == (
        "below", 0.0, ["channel"], ["cx-team@example.com"]
    )  # fmt: skip

    edit = client.get(f"/alerts/{rule.id}")
    assert 'value="Store NPS under zero"' in edit.text and "cx-team@example.com" in edit.text
    changed = FORM | {"kind": "drop", "threshold": "", "filters": "channel:store", "active": ""}
    saved = client.post(
        f"/alerts/{rule.id}", data=changed | {"csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    session.refresh(rule)
    assert (rule.kind, rule.filters, rule.active) == ("drop", ["channel:store"], False)

    removed = client.post(
        f"/alerts/{rule.id}/delete", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303 and list_rules(session) == []


def test_a_refused_rule_is_shown_again_with_the_message_beside_its_field(
    client: TestClient, session: Session
) -> None:
    token = signed_in(client, session, "analyst")
    refused = client.post("/alerts", data=FORM | {"filters": "colour:red", "csrf_token": token})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert 'id="add-filters-error"' in text and "colour" in text
    assert 'aria-invalid="true"' in text and "colour:red</textarea>" in text
    no_threshold = client.post("/alerts", data=FORM | {"threshold": "", "csrf_token": token})
    assert no_threshold.status_code == 422
    assert "take a threshold" in html.unescape(no_threshold.text)
    assert list_rules(session) == []


def test_a_viewer_sees_rules_and_reports_but_no_form(client: TestClient, session: Session) -> None:
    make_rule(session)
    make_report(session)
    token = signed_in(client, session, "viewer")
    page = client.get("/alerts")
    assert page.status_code == 200
    assert "NPS under zero" in page.text and "Weekly CX" in page.text
    assert "Add a rule" not in page.text
    assert client.post("/alerts", data=FORM | {"csrf_token": token}).status_code == 403
