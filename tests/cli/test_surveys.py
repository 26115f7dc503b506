"""``cxloop survey dispatch``: one pass invites where a trigger matches and sends over SMTP."""

from __future__ import annotations

import json
import uuid

import pytest

from cxloop.interactions import InteractionIn, store_interactions
from cxloop.settings import get_settings
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work
from cxloop.surveys import TriggerCreate, create_trigger
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401
from tests.surveys.factories import make_survey


def test_dispatch_invites_and_sends_then_has_nothing_left(
    cli: Cli, committed_url: str, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXLOOP_SMTP_PORT", str(inbox.port))
    get_settings.cache_clear()
    engine = make_engine(committed_url)
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    with unit_of_work(engine) as session:
        survey = make_survey(session, key=f"cli-{uuid.uuid4().hex[:8]}")
        create_trigger(
            session, survey=survey, data=TriggerCreate(name="After a call", type="Call Ended")
        )
        customer = make_customer(session, email=email)
        now = utcnow()
        store_interactions(
            session,
            [
                InteractionIn(
                    message_id=f"call-{uuid.uuid4()}",
                    type="Call Ended",
                    channel="phone",
                    stage="support",
                    occurred_at=now,
                    received_at=now,
                    customer_id=customer.id,
                )
            ],
        )
    engine.dispose()

    first = cli("survey", "dispatch", "--json")
    assert first.exit_code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["evaluated"], summary["invited"], summary["sent"]) == (1, 1, 1)
    assert [m["To"] for m in inbox.messages] == [email]
    again = json.loads(cli("survey", "dispatch", "--json").stdout)
    assert (again["evaluated"], again["invited"], again["sent"], again["in_doubt"]) == (0, 0, 0, 0)
