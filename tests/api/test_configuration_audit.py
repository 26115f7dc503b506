"""Every configuration change made through the API is in the audit log exactly once, by the
flush hook: who made it (and with which token), which row, and the values before and after.
No route writes an entry of its own, so none can be forgotten or doubled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.accounts import ApiToken, Role, create_token
from cxloop.privacy import SECRET, AuditEntry
from cxloop.store.base import Base
from cxloop.store.changes import CONFIGURATION
from tests.accounts.factories import bearer, make_user
from tests.api.test_alerts import RULE
from tests.cases.factories import make_department
from tests.surveys.factories import nps_definition

CONFIGURATION_NAMES = sorted(table.name for table in CONFIGURATION.values())


@dataclass
class Admin:
    email: str
    token_id: int
    headers: dict[str, str]


@pytest.fixture
def admin(session: Session) -> Admin:
    user = make_user(session, role=Role.admin)
    token, plaintext = create_token(session, user=user)
    make_department(session, "billing")
    return Admin(user.email, token.id, bearer(plaintext))


Call = Callable[[TestClient, Admin], Any]


def _json(answer: Any) -> dict[str, Any]:
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else {}


def _post(path: str, body: dict[str, Any]) -> Call:
    return lambda client, admin: _json(client.post(path, json=body, headers=admin.headers))


@dataclass(frozen=True)
class Then:
    """What a change needs made first (audited on its own), then the change on ``path``
    (``{id}`` is the id of what was made)."""

    setup: Call
    method: str
    path: str
    body: dict[str, Any] | None = None

    def __call__(self, client: TestClient, admin: Admin) -> Any:
        return self.setup(client, admin)

    def change(self, client: TestClient, admin: Admin, made: dict[str, Any]) -> None:
        url = self.path.format(id=made.get("id"))
        _json(client.request(self.method, url, json=self.body, headers=admin.headers))


def _then(setup: Call, method: str, path: str, body: dict[str, Any] | None = None) -> Then:
    return Then(setup, method, path, body)


ROUTING = {"name": "Invoices", "department": "billing",
           "conditions": [{"field": "text", "op": "contains", "value": "invoice"}]}  # fmt: skip
SLA = {"name": "Billing", "department": "billing", "first_response_minutes": 60,
       "resolution_minutes": 480}  # fmt: skip
TEMPLATE = {"key": "thanks", "name": "Thanks", "body": "Thank you, {{ customer.name }}."}
REPORT = {"name": "Weekly NPS", "metrics": ["nps"], "addresses": ["cx@example.com"]}
SURVEY = {"key": "nps-audit", "name": "NPS", "definition": nps_definition()}

# (what changes, the API calls, the entry expected, a column in before or after and its value)
CHANGES: list[tuple[str, Call | Then, str, str, str, Any]] = [
    ("a source", _post("/api/v1/sources", {"name": "web"}), "source.created",
     "after", "write_key_hash", SECRET),
    ("a routing rule", _post("/api/v1/routing-rules", ROUTING), "routing_rule.created",
     "after", "name", "Invoices"),
    ("a routing rule", _then(_post("/api/v1/routing-rules", ROUTING), "PUT",
     "/api/v1/routing-rules/{id}", ROUTING | {"name": "Bills"}), "routing_rule.changed",
     "before", "name", "Invoices"),
    ("a routing rule", _then(_post("/api/v1/routing-rules", ROUTING), "DELETE",
     "/api/v1/routing-rules/{id}"), "routing_rule.removed", "before", "name", "Invoices"),
    ("an SLA policy", _then(_post("/api/v1/sla-policies", SLA), "PUT",
     "/api/v1/sla-policies/{id}", SLA | {"resolution_minutes": 240}), "sla_policy.changed",
     "after", "resolution_minutes", 240),
    ("a business calendar", lambda c, a: _json(c.put(
        "/api/v1/departments/billing/calendar", json={"timezone": "Europe/Paris"},
        headers=a.headers)), "business_calendar.created", "after", "timezone", "Europe/Paris"),
    ("a reply template", _then(_post("/api/v1/reply-templates", TEMPLATE), "PUT",
     "/api/v1/reply-templates/{id}", TEMPLATE | {"name": "Thank you"}),
     "reply_template.changed", "after", "name", "Thank you"),
    ("a topic", _then(_post("/api/v1/topics", {"name": "Billing"}), "PATCH",
     "/api/v1/topics/{id}", {"description": "invoices"}), "topic.changed",
     "after", "description", "invoices"),
    ("a topic", _then(_post("/api/v1/topics", {"name": "Billing"}), "DELETE",
     "/api/v1/topics/{id}"), "topic.removed", "before", "name", "Billing"),
    ("a survey", _then(_post("/api/v1/surveys", SURVEY), "PATCH", "/api/v1/surveys/{id}",
     {"name": "Store NPS"}), "survey.changed", "after", "name", "Store NPS"),
    ("a survey trigger", _then(_post("/api/v1/surveys", SURVEY), "POST",
     "/api/v1/surveys/{id}/triggers", {"name": "After delivery", "stage": "delivery"}),
     "survey_trigger.created", "after", "stage", "delivery"),
    ("an alert rule", _then(_post("/api/v1/alerts", RULE), "PUT", "/api/v1/alerts/{id}",
     RULE | {"active": False}), "alert_rule.changed", "before", "active", True),
    ("an alert rule", _post("/api/v1/alerts", RULE), "alert_rule.created",
     "after", "webhook_url", SECRET),
    ("a metric report", _then(_post("/api/v1/reports", REPORT), "DELETE",
     "/api/v1/reports/{id}"), "metric_report.removed", "before", "name", "Weekly NPS"),
    ("a retention policy", _then(lambda c, a: _json(c.put(
        "/api/v1/privacy/retention/raw_text", json={"days": 365}, headers=a.headers)), "PUT",
     "/api/v1/privacy/retention/raw_text", {"days": 30}), "retention_policy.changed",
     "before", "days", 365),
    ("a playbook", _then(_post("/api/v1/playbooks", {"name": "Save", "min_risk": 0.5}),
     "PATCH", "/api/v1/playbooks/{id}", {"active": False}), "playbook.changed",
     "after", "active", False),
]  # fmt: skip


def _entries(session: Session, after_id: int) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.id > after_id, AuditEntry.target_type.in_(CONFIGURATION_NAMES))
            .order_by(AuditEntry.id)
        )
    )


def _last_id(session: Session) -> int:
    return int(session.scalar(select(func.max(AuditEntry.id))) or 0)


@pytest.mark.parametrize(
    ("what", "call", "action", "side", "column", "value"),
    CHANGES,
    ids=[f"{c[2]}" for c in CHANGES],
)
def test_each_configuration_change_is_audited_once_with_its_author_and_values(
    client: TestClient,
    session: Session,
    admin: Admin,
    what: str,
    call: Call | Then,
    action: str,
    side: str,
    column: str,
    value: Any,
) -> None:
    if isinstance(call, Then):
        made = call(client, admin)
        mark = _last_id(session)
        call.change(client, admin, made)
    else:
        mark = _last_id(session)
        call(client, admin)

    [entry] = _entries(session, mark)

    assert entry.action == action, what
    assert (entry.actor, entry.detail["via"]) == (admin.email, f"token {admin.token_id}")
    assert entry.target_id
    assert entry.detail[side][column] == value


def test_a_change_that_changes_nothing_leaves_no_entry(
    client: TestClient, session: Session, admin: Admin
) -> None:
    rule = _post("/api/v1/routing-rules", ROUTING)(client, admin)
    mark = _last_id(session)
    _json(client.put(f"/api/v1/routing-rules/{rule['id']}", json=ROUTING, headers=admin.headers))

    assert _entries(session, mark) == []


def test_secrets_never_reach_the_log(client: TestClient, session: Session, admin: Admin) -> None:
    source = _post("/api/v1/sources", {"name": "app"})(client, admin)
    key = source["write_key"]
    hashes = list(session.scalars(select(ApiToken.secret_hash)))

    logged = str([e.detail for e in _entries(session, 0)])
    assert key not in logged and key.split("_")[-1] not in logged
    assert not any(h in logged for h in hashes)


def test_every_table_is_either_configuration_or_a_record() -> None:
    """A new table must be placed: configuration (audited by the hook) or one of the records
    the product keeps as it runs (audited where it matters: exports, requests, views)."""
    records = {
        "audit_log", "case_events", "case_links", "case_messages", "cases", "consent_records",
        "customer_merges", "customers", "data_requests", "detraction_scores", "enrichments",
        "experiment_assignments", "identities", "insight_deliveries", "insight_dispatches",
        "interactions", "playbook_actions", "problems", "risk_scores", "survey_dispatch_marks",
        "survey_invitations", "survey_opt_outs", "survey_responses", "user_departments",
    }  # fmt: skip
    configuration = {cls.__table__.name for cls in CONFIGURATION}  # type: ignore[attr-defined]
    assert set(Base.metadata.tables) - records == configuration
