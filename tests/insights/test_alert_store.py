"""Saving alert rules and reports: typos are refused when saved, naming the field, and
every change is in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, ValidationFailed
from cxloop.insights import AlertRuleCreate, change_rule, remove
from cxloop.privacy import AuditEntry
from cxloop.store.changes import Actor, act_as
from tests.insights.alert_factories import ACTOR, make_report, make_rule


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"metric": "nsp"}, "metric", "no metric named 'nsp'"),
        ({"by": ["colour"]}, "by", "cannot be grouped by 'colour'"),
        ({"filters": ["colour:red"]}, "filter", "colour"),
        ({"addresses": [], "user_ids": [999999]}, "user_ids", "no active user has the id 999999"),
        ({"addresses": []}, "user_ids", "nobody would hear of it"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_naming_its_field(
    session: Session, fields: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        make_rule(session, **fields)
    assert str(refused.value.extra["field"]).startswith(field)


def test_a_report_of_an_unknown_metric_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed, match="no metric named 'churn_rat'"):
        make_report(session, metrics=["nps", "churn_rat"])


def test_two_rules_cannot_share_a_name(session: Session) -> None:
    make_rule(session)
    with pytest.raises(Conflict, match="'NPS under zero' is taken"):
        make_rule(session, kind="drop", threshold=None)


def test_every_change_is_audited_with_its_author_and_settings(session: Session) -> None:
    act_as(session, Actor(ACTOR))
    rule = make_rule(session)
    data = AlertRuleCreate.model_validate(
        {"name": "NPS low", "metric": "nps", "kind": "below", "threshold": -10,
         "addresses": ["cx-team@example.com"]}
    )  # fmt: skip
    act_as(session, Actor("boss@example.com"))
    change_rule(session, rule, data)
    act_as(session, Actor(ACTOR))
    remove(session, rule)

    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "alert_rule").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor) for e in entries] == [
        ("alert_rule.created", ACTOR),
        ("alert_rule.changed", "boss@example.com"),
        ("alert_rule.removed", ACTOR),
    ]
    assert entries[1].detail["before"]["name"] == "NPS under zero"
    assert entries[1].detail["after"]["threshold"] == -10
    assert entries[1].detail["after"]["name"] == "NPS low"
    assert {e.target_id for e in entries} == {str(rule.id)}
