"""Queues: who sees which cases, the filters, the order, the pages and the counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import BUILTIN_ROLES, Department, Permission, User
from cxloop.cases import (
    Calendar,
    Case,
    QueueFilter,
    Scope,
    next_deadline,
    queue_counts,
    queue_page,
    scope_of,
    view_filter,
    visible,
    visible_case,
)
from cxloop.errors import NotFound, ValidationFailed
from tests.accounts.factories import make_user
from tests.cases.factories import MONDAY_9AM_PARIS, make_agent, make_department
from tests.cases.queue_factories import make_queued_case

NOW = MONDAY_9AM_PARIS + timedelta(hours=2)


def scope(user: User, role: str | None = None) -> Scope:
    return scope_of(user, BUILTIN_ROLES[role or user.role])


def subjects(session: Session, who: Scope, filters: QueueFilter | None = None) -> list[str]:
    page = queue_page(session, who, filters or QueueFilter(), now=NOW)
    return [item.case.subject for item in page.items]


@pytest.fixture
def teams(session: Session) -> tuple[Department, Department]:
    return make_department(session, "billing"), make_department(session, "delivery")


def test_an_agent_sees_only_their_departments_cases(session: Session, teams) -> None:
    billing, delivery = teams
    agent = make_agent(session, billing)
    make_queued_case(session, department=billing, subject="refund")
    make_queued_case(session, department=delivery, subject="parcel")
    other = make_queued_case(session, department=delivery, subject="lost")
    make_queued_case(session, department=None, subject="unsorted")

    assert subjects(session, scope(agent)) == ["refund"]
    with pytest.raises(NotFound):
        visible_case(session, scope(agent), other.id)
    in_scope = session.scalars(select(Case.subject).where(visible(scope(agent))))
    assert list(in_scope) == ["refund"]


def test_triage_is_seen_by_managers_and_all_department_roles(session: Session, teams) -> None:
    billing, delivery = teams
    make_queued_case(session, department=billing, subject="refund")
    make_queued_case(session, department=delivery, subject="parcel")
    make_queued_case(session, department=None, subject="unsorted")
    lead = make_user(session, role="agent", departments=["billing"])
    manager = scope_of(lead, BUILTIN_ROLES["agent"] | {Permission.cases_manage})
    analyst = make_user(session, role="analyst")

    assert sorted(subjects(session, manager)) == ["refund", "unsorted"]
    assert sorted(subjects(session, scope(analyst))) == ["parcel", "refund", "unsorted"]
    assert subjects(session, scope(analyst), QueueFilter(triage=True)) == ["unsorted"]
    assert subjects(session, scope(make_agent(session, billing)), QueueFilter(triage=True)) == []


def test_a_user_without_departments_or_wider_rights_sees_nothing(session: Session, teams) -> None:
    make_queued_case(session, department=teams[0])
    loner = make_user(session, role="agent")
    assert subjects(session, scope(loner)) == []
    assert queue_counts(session, scope(loner), now=NOW).open == 0


def test_soonest_deadline_first_and_no_deadline_last(session: Session, teams) -> None:
    billing, delivery = teams
    admin = make_user(session, role="admin")
    make_queued_case(session, department=billing, subject="none", resolution_due=None)
    make_queued_case(
        session, department=delivery, subject="later", resolution_due=NOW + timedelta(hours=5)
    )
    make_queued_case(
        session, department=billing, subject="soon", resolution_due=NOW + timedelta(minutes=5)
    )
    make_queued_case(
        session,
        department=None,
        status="waiting",
        subject="late",
        resolution_due=NOW - timedelta(hours=1),
    )
    make_queued_case(
        session, department=billing, status="solved", subject="done", resolution_due=NOW
    )

    assert subjects(session, scope(admin)) == ["late", "soon", "later", "none"]


def test_pages_continue_across_deadlines_and_cases_without_one(session: Session, teams) -> None:
    billing, delivery = teams
    admin = make_user(session, role="admin")
    expected = []
    for n in range(7):
        department = billing if n % 2 else delivery
        make_queued_case(
            session,
            department=department,
            subject=f"due {n}",
            resolution_due=NOW + timedelta(minutes=n),
        )
        expected.append(f"due {n}")
    same = NOW + timedelta(minutes=3)  # ties on the deadline are broken by id
    make_queued_case(session, department=billing, subject="due 3 too", resolution_due=same)
    expected.insert(4, "due 3 too")
    for n in range(4):
        make_queued_case(session, department=delivery, subject=f"open-ended {n}")
        expected.append(f"open-ended {n}")

    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = queue_page(session, scope(admin), QueueFilter(), now=NOW, cursor=cursor, limit=3)
        seen += [item.case.subject for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


def test_a_forged_cursor_is_refused(session: Session, teams) -> None:
    admin = make_user(session, role="admin")
    for cursor in ("xyz", "dnotbase64", "nWzEsMl0"):
        with pytest.raises(ValidationFailed):
            queue_page(session, scope(admin), QueueFilter(), now=NOW, cursor=cursor)


def test_filters(session: Session, teams) -> None:
    billing, delivery = teams
    me = make_agent(session, billing)
    make_agent(session, delivery)
    colleague = make_agent(session, billing)
    me.departments.append(delivery)
    session.flush()
    make_queued_case(session, department=billing, subject="mine", assignee=me, priority="urgent")
    make_queued_case(
        session, department=billing, subject="theirs", assignee=colleague, tags=["vip"]
    )
    make_queued_case(
        session, department=delivery, subject="nobody's", queue="returns", tags=["vip", "eu"]
    )
    make_queued_case(session, department=delivery, subject="waiting", status="waiting", assignee=me)
    make_queued_case(session, department=billing, subject="solved", status="solved", assignee=me)
    who = scope(me)

    assert sorted(subjects(session, who, QueueFilter(assignee="me"))) == ["mine", "waiting"]
    assert subjects(session, who, QueueFilter(assignee=colleague.id)) == ["theirs"]
    assert subjects(session, who, QueueFilter(assignee="unassigned")) == ["nobody's"]
    assert subjects(session, who, QueueFilter(priority="urgent")) == ["mine"]
    assert sorted(subjects(session, who, QueueFilter(tag="vip"))) == ["nobody's", "theirs"]
    assert subjects(session, who, QueueFilter(tag="eu")) == ["nobody's"]
    assert subjects(session, who, QueueFilter(queue="returns")) == ["nobody's"]
    assert sorted(subjects(session, who, QueueFilter(department_id=billing.id))) == [
        "mine",
        "theirs",
    ]
    only_waiting = QueueFilter(statuses=frozenset({"waiting"}))
    assert subjects(session, who, only_waiting) == ["waiting"]
    done = QueueFilter(statuses=frozenset({"solved", "closed"}), assignee="me")
    assert subjects(session, who, done) == ["solved"]
    with pytest.raises(ValidationFailed):
        QueueFilter(statuses=frozenset({"lost"}))
    with pytest.raises(ValidationFailed):
        QueueFilter(priority="whenever")


def test_a_department_filter_never_widens_the_scope(session: Session, teams) -> None:
    billing, delivery = teams
    agent = make_agent(session, billing)
    make_queued_case(session, department=delivery, subject="parcel")
    assert subjects(session, scope(agent), QueueFilter(department_id=delivery.id)) == []


def test_breached_means_running_late_now(session: Session, teams) -> None:
    billing, _ = teams
    admin = make_user(session, role="admin")
    past, future = NOW - timedelta(minutes=1), NOW + timedelta(hours=1)
    make_queued_case(session, department=billing, subject="unanswered", first_response_due=past)
    make_queued_case(
        session,
        department=billing,
        subject="answered",
        first_response_due=past,
        first_responded_at=past,
    )
    make_queued_case(session, department=billing, subject="overdue", resolution_due=past)
    make_queued_case(
        session,
        department=billing,
        subject="paused in time",
        status="waiting",
        resolution_due=past,
        paused_at=past - timedelta(hours=1),
    )
    make_queued_case(
        session,
        department=billing,
        subject="paused too late",
        status="waiting",
        resolution_due=past - timedelta(hours=2),
        paused_at=past - timedelta(hours=1),
    )
    make_queued_case(session, department=billing, subject="on time", resolution_due=future)
    make_queued_case(
        session, department=billing, subject="closed late", status="closed", resolution_due=past
    )

    late = subjects(session, scope(admin), view_filter("breached"))
    assert sorted(late) == ["overdue", "paused too late", "unanswered"]
    assert queue_counts(session, scope(admin), now=NOW).breached == 3


def test_counts_per_view(session: Session, teams) -> None:
    billing, delivery = teams
    me = make_agent(session, billing)
    make_queued_case(session, department=billing, assignee=me)
    make_queued_case(session, department=billing, assignee=me, status="waiting")
    make_queued_case(session, department=billing)
    make_queued_case(session, department=billing, status="closed")
    make_queued_case(session, department=delivery)
    make_queued_case(session, department=None)
    make_queued_case(session, department=None, resolution_due=NOW - timedelta(hours=1))

    mine = queue_counts(session, scope(me), now=NOW)
    assert (mine.mine, mine.unassigned, mine.triage, mine.waiting, mine.open) == (2, 1, 0, 1, 3)
    assert mine.departments == {billing.id: 3}
    assert mine.breached == 0

    admin = make_user(session, role="admin", departments=["delivery"])
    everything = queue_counts(session, scope(admin), now=NOW)
    assert (everything.open, everything.triage, everything.breached) == (6, 2, 1)
    assert everything.departments == {billing.id: 3, delivery.id: 1}
    assert everything.unassigned == 1  # their own department only
    assert everything.of("triage") == 2 and everything.of(f"department-{billing.id}") == 3
    assert subjects(session, scope(admin), view_filter("unassigned")) == [
        c.subject for c in session.scalars(select(Case).where(Case.department_id == delivery.id))
    ]


def test_views_by_name(session: Session) -> None:
    assert view_filter("mine") == QueueFilter(assignee="me")
    assert view_filter("department-7") == QueueFilter(department_id=7)
    with pytest.raises(NotFound):
        view_filter("everything-ever")


def test_next_deadline_in_business_minutes(session: Session, teams) -> None:
    calendar = Calendar.build(timezone="Europe/Paris")  # weekdays 9 to 5
    friday_4pm = MONDAY_9AM_PARIS - timedelta(days=3) + timedelta(hours=7)
    case = make_queued_case(
        session,
        department=teams[0],
        first_response_due=MONDAY_9AM_PARIS + timedelta(minutes=30),
        resolution_due=MONDAY_9AM_PARIS + timedelta(hours=4),
    )
    first = next_deadline(case, calendar, friday_4pm)
    assert first is not None
    assert (first.clock, first.business_minutes_left, first.breached) == (
        "first_response",
        90,
        False,
    )

    case.first_responded_at = friday_4pm
    case.status, case.paused_at = "waiting", MONDAY_9AM_PARIS + timedelta(hours=5)
    resolution = next_deadline(case, calendar, NOW + timedelta(days=1))
    assert resolution is not None
    assert (resolution.clock, resolution.paused, resolution.breached) == ("resolution", True, True)
    assert resolution.business_minutes_left == -60  # an hour late when the clock stopped

    case.status = "solved"
    assert next_deadline(case, calendar, NOW) is None
