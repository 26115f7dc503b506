"""The counts beside the queue: reused while the page polls, never behind a change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from cxloop.accounts import BUILTIN_ROLES, Department, User
from cxloop.cases import Case, Scope, assign, queue_counts, scope_of, set_status, transfer
from cxloop.cases.counts import FRESH_SECONDS, count_cases
from tests.accounts.factories import make_user
from tests.cases.factories import MONDAY_9AM_PARIS, directory, make_agent, make_department
from tests.cases.queue_factories import make_queued_case

NOW = MONDAY_9AM_PARIS + timedelta(hours=2)
SOON = NOW + timedelta(seconds=1)


def scope(user: User) -> Scope:
    return scope_of(user, BUILTIN_ROLES[user.role])


@pytest.fixture
def teams(session: Session) -> tuple[Department, Department]:
    return make_department(session, "billing"), make_department(session, "delivery")


def test_a_second_look_with_nothing_changed_reuses_the_count(session: Session, teams) -> None:
    billing, _ = teams
    admin = make_user(session, role="admin")
    make_queued_case(session, department=billing)

    first = queue_counts(session, scope(admin), now=NOW)
    assert queue_counts(session, scope(admin), now=SOON) is first
    assert first == count_cases(session, scope(admin), now=SOON)


def test_every_change_the_user_makes_shows_on_their_next_look(session: Session, teams) -> None:
    billing, delivery = teams
    agent = make_agent(session, billing)
    make_agent(session, delivery)
    admin = make_user(session, role="admin")
    desk = directory(session)
    case = make_queued_case(session, department=billing)
    assert queue_counts(session, scope(admin), now=NOW).departments == {billing.id: 1}

    assign(desk, case, agent.id, actor="lead")
    assert queue_counts(session, scope(agent), now=SOON).mine == 1
    set_status(desk, case, "waiting", actor="lead", now=NOW)
    assert queue_counts(session, scope(admin), now=SOON).waiting == 1
    transfer(desk, case, delivery.id, actor="lead")
    assert queue_counts(session, scope(admin), now=SOON).departments == {delivery.id: 1}
    set_status(desk, case, "open", actor="lead", now=NOW)
    set_status(desk, case, "solved", actor="lead", now=NOW)
    assert queue_counts(session, scope(admin), now=SOON).open == 0

    make_queued_case(session, department=None)
    assert queue_counts(session, scope(admin), now=SOON).triage == 1


def test_a_change_written_without_the_services_is_counted_too(session: Session, teams) -> None:
    billing, _ = teams
    admin = make_user(session, role="admin")
    case = make_queued_case(session, department=billing)
    assert queue_counts(session, scope(admin), now=NOW).open == 1

    session.execute(update(Case).where(Case.id == case.id).values(status="closed"))
    assert queue_counts(session, scope(admin), now=SOON).open == 0


def test_time_running_out_is_counted_once_the_poll_period_is_over(session: Session, teams) -> None:
    billing, _ = teams
    admin = make_user(session, role="admin")
    due = NOW + timedelta(seconds=5)
    make_queued_case(session, department=billing, resolution_due=due)
    assert queue_counts(session, scope(admin), now=NOW).breached == 0

    later = NOW + timedelta(seconds=FRESH_SECONDS)
    assert queue_counts(session, scope(admin), now=later).breached == 1
    # an earlier moment than the count was taken at never reuses it either
    assert queue_counts(session, scope(admin), now=NOW).breached == 0


def test_each_person_has_their_own_counts(session: Session, teams) -> None:
    billing, _ = teams
    me, colleague = make_agent(session, billing), make_agent(session, billing)
    make_queued_case(session, department=billing, assignee=me)

    assert queue_counts(session, scope(me), now=NOW).mine == 1
    assert queue_counts(session, scope(colleague), now=NOW).mine == 0
