"""``surveys.dispatch`` on the worker's schedule: each run invites and sends what is due, and a
second run or a run after a restart (a new queue) sends nothing twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from cxloop.jobs import JOBS, SURVEY_DISPATCH, Queue
from cxloop.settings import Settings
from cxloop.surveys import Invitation, TriggerCreate, create_trigger
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox
from tests.surveys.factories import arrive, make_survey


def test_the_dispatcher_runs_by_itself_every_minute() -> None:
    assert JOBS["surveys.dispatch"] is SURVEY_DISPATCH and SURVEY_DISPATCH.every_minutes == 1


def test_invitations_go_out_once_across_runs_and_restarts(
    session: Session, connection: Connection, tmp_path: Path, inbox: Inbox
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key="test-secret-key",
        smtp_port=inbox.port,
        smtp_retries=0,
        jobs_url="memory",
    )
    survey = make_survey(session)
    create_trigger(
        session,
        survey=survey,
        data=TriggerCreate(name="After delivery", type="Parcel Delivered", stage="delivery"),
    )
    ann = make_customer(session, email="ann@example.com")
    arrive(session, ann.id)

    for _restart in range(2):
        queue = Queue(settings, connection)
        for _run in range(2):
            queue.run(SURVEY_DISPATCH.name, {})
        bob = make_customer(session, email=f"bob{_restart}@example.com")
        arrive(session, bob.id)  # arrives while the worker is down, sent after the restart

    queue = Queue(settings, connection)
    queue.run(SURVEY_DISPATCH.name, {})
    assert sorted(m["To"] for m in inbox.messages) == [
        "ann@example.com",
        "bob0@example.com",
        "bob1@example.com",
    ]
    statuses = session.scalars(select(Invitation.status)).all()
    assert statuses == ["sent", "sent", "sent"]
