"""Trigger rules: the right moment, delay and quiet hours, sampling, fatigue, no double invite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.privacy import record_consent
from cxloop.settings import Settings
from cxloop.surveys import Invitation, TriggerCreate, create_trigger, dispatch, opt_out
from cxloop.surveys.models import Trigger
from cxloop.surveys.triggers import sampled, send_time
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox
from tests.surveys.factories import arrive, make_survey


@pytest.fixture
def settings(tmp_path: Path, inbox: Inbox) -> Settings:
    return Settings(
        data_dir=tmp_path, secret_key="test-secret-key", smtp_port=inbox.port, smtp_retries=0
    )


def rule(**overrides: object) -> TriggerCreate:
    values: dict[str, object] = {
        "name": "After delivery",
        "type": "Parcel Delivered",
        "stage": "delivery",
    }
    values.update(overrides)
    return TriggerCreate.model_validate(values)


def test_a_matching_interaction_invites_once_and_the_email_goes_out(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule(properties={"carrier": "own"}))
    ann = make_customer(session, email="ann@example.com")
    bob = make_customer(session, email="bob@example.com")
    arrive(session, ann.id)
    arrive(session, bob.id, type="Page Viewed", stage="usage")  # matches nothing

    report = dispatch(connection, settings)
    again = dispatch(connection, settings)

    assert (report.evaluated, report.invited, report.sending.sent) == (2, 1, 1)
    assert (again.evaluated, again.invited, again.sending.sent) == (0, 0, 0)
    assert [m["To"] for m in inbox.messages] == ["ann@example.com"]
    invitation = session.scalars(select(Invitation)).one()
    assert (invitation.stage, invitation.channel, invitation.status) == (
        "delivery",
        "email",
        "sent",
    )

    arrive(session, ann.id)  # a second delivery a moment later: inside the cool-down
    assert dispatch(connection, settings).invited == 0


def test_history_before_the_trigger_is_not_surveyed(
    connection: Connection, session: Session, settings: Settings
) -> None:
    ann = make_customer(session, email="ann@example.com")
    arrive(session, ann.id)
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule())
    assert dispatch(connection, settings).invited == 0


def test_opted_out_customers_are_not_invited(
    connection: Connection, session: Session, settings: Settings
) -> None:
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule())
    ann = make_customer(session, email="ann@example.com")
    opt_out(session, customer_id=ann.id)
    arrive(session, ann.id)
    assert dispatch(connection, settings).invited == 0


def test_a_delayed_invitation_is_sent_when_due(
    connection: Connection, session: Session, settings: Settings, inbox: Inbox
) -> None:
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule(delay_minutes=120))
    ann = make_customer(session, email="ann@example.com")
    arrive(session, ann.id)
    now = utcnow()

    first = dispatch(connection, settings, now=now)
    assert (first.invited, first.sending.sent, inbox.messages) == (1, 0, [])
    later = dispatch(connection, settings, now=now + timedelta(minutes=121))
    assert later.sending.sent == 1 and len(inbox.messages) == 1


def make_rule(**values: object) -> Trigger:
    fields: dict[str, object] = {"id": 1, "survey_id": 1, "name": "r", "properties": {}}
    fields.update({"delay_minutes": 0, "sampling": 1.0, **values})
    return Trigger(**fields)


def test_quiet_hours_wait_for_morning_in_the_customers_time_zone() -> None:
    quiet = make_rule(quiet_start_hour=21, quiet_end_hour=8)
    lisbon, new_york = ZoneInfo("Europe/Lisbon"), ZoneInfo("America/New_York")
    late = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)  # 23:30 in Lisbon, 18:30 in New York
    assert send_time(quiet, late, lisbon) == datetime(2025, 1, 16, 8, 0, tzinfo=lisbon)
    assert send_time(quiet, late, new_york) == late
    early = datetime(2025, 1, 16, 6, 0, tzinfo=UTC)
    assert send_time(quiet, early, lisbon) == datetime(2025, 1, 16, 8, 0, tzinfo=lisbon)
    delayed = make_rule(delay_minutes=90, quiet_start_hour=21, quiet_end_hour=8)
    evening = datetime(2025, 1, 15, 19, 45, tzinfo=UTC)  # +90 min lands at 21:15: quiet
    assert send_time(delayed, evening, lisbon) == datetime(2025, 1, 16, 8, 0, tzinfo=lisbon)
    daytime = make_rule(quiet_start_hour=12, quiet_end_hour=14)
    assert send_time(daytime, datetime(2025, 1, 15, 13, 0, tzinfo=UTC), lisbon).hour == 14


def test_sampling_is_repeatable_and_close_to_the_rate() -> None:
    trigger = make_rule(sampling=0.3)
    ids = [f"m-{n}" for n in range(4000)]
    chosen = [sampled(trigger, m) for m in ids]
    assert chosen == [sampled(trigger, m) for m in ids]
    assert 0.27 < sum(chosen) / len(ids) < 0.33
    assert all(sampled(make_rule(sampling=1.0), m) for m in ids[:100])


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="quiet_end_hour"):
        rule(quiet_start_hour=21)
    with pytest.raises(ValueError, match="invite_channel"):
        rule(invite_channel="pigeon")


def test_two_matches_for_one_customer_in_one_pass_invite_once(
    connection: Connection, session: Session, settings: Settings
) -> None:
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule(invite_channel="link"))
    create_trigger(session, survey=survey, data=rule(name="Any delivery event", type=None))
    ann = make_customer(session, email="ann@example.com")
    arrive(session, ann.id)
    arrive(session, ann.id)
    report = dispatch(connection, settings)
    assert (report.evaluated, report.invited) == (2, 1)


def test_withdrawn_consent_to_surveys_is_honoured(
    connection: Connection, session: Session, settings: Settings
) -> None:
    survey = make_survey(session)
    create_trigger(session, survey=survey, data=rule())
    ann = make_customer(session, email="ann@example.com")
    bob = make_customer(session, email="bob@example.com")
    record_consent(session, customer_id=ann.id, purpose="surveys", granted=False, source="cmp")
    record_consent(session, customer_id=bob.id, purpose="marketing", granted=False, source="cmp")
    arrive(session, ann.id)
    arrive(session, bob.id)
    assert dispatch(connection, settings).invited == 1
    invited = session.scalars(select(Invitation.customer_id)).all()
    assert invited == [bob.id]  # no decision on surveys: allowed; a withdrawal wins
