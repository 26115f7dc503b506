"""The case workflow, SLA clocks that pause and resume, ownership and duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases import (
    CaseDraft,
    CaseEvent,
    CaseLink,
    DepartmentSetup,
    assign,
    merge,
    open_cases,
    set_status,
    transfer,
)
from cxloop.errors import Conflict, ValidationFailed
from tests.cases.factories import (
    MONDAY_9AM_PARIS,
    directory,
    make_agent,
    make_calendar,
    make_department,
    make_interaction,
    make_policy,
    make_team,
)
from tests.customers.factories import make_customer

MONDAY = MONDAY_9AM_PARIS  # 09:00 in Paris, 08:00 UTC


def open_one(session: Session, **fields):
    desk = directory(session)
    customer = fields.pop("customer", None) or make_customer(session)
    draft = CaseDraft(customer_id=customer.id, subject="Help", channel="email", **fields)
    [case] = open_cases(session, desk, [draft], now=fields.get("now", MONDAY))
    return desk, case


@pytest.fixture
def paris_team(session: Session):
    team = make_team(session)
    make_calendar(
        session,
        department=team,
        timezone="Europe/Paris",
        holiday_country="FR",
        hours={d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    make_policy(session, department=team, first_response_minutes=120, resolution_minutes=480)
    return team


def test_deadlines_count_only_the_departments_business_hours(session: Session, paris_team) -> None:
    _, case = open_one(session, department_id=paris_team.id)
    assert case.first_response_due == MONDAY + timedelta(hours=2)
    assert case.resolution_due == MONDAY + timedelta(hours=8)  # Monday 17:00 in Paris


def test_waiting_on_the_customer_pauses_the_resolution_clock(session: Session, paris_team) -> None:
    desk, case = open_one(session, department_id=paris_team.id)
    set_status(desk, case, "waiting", actor="ann", now=MONDAY + timedelta(hours=1))
    # The customer answers the next morning at 10:00 Paris: paused for Monday 10:00-17:00
    # and Tuesday 09:00-10:00, 8 business hours; the night does not count.
    set_status(desk, case, "open", actor="ann", now=MONDAY + timedelta(days=1, hours=1))
    assert case.paused_minutes == 8 * 60
    # 8 h target + 8 h paused from Monday 09:00: Tuesday 17:00 in Paris.
    assert case.resolution_due == MONDAY + timedelta(days=1, hours=8)


def test_a_solved_case_reopened_keeps_its_clock_fair(session: Session, paris_team) -> None:
    desk, case = open_one(session, department_id=paris_team.id)
    set_status(desk, case, "solved", actor="ann", now=MONDAY + timedelta(hours=2))
    set_status(desk, case, "reopened", actor="customer", now=MONDAY + timedelta(hours=3))
    assert case.reopen_count == 1 and case.solved_at is None
    # 8 h target + the hour it stood solved: Monday 17:00 in Paris plus one hour on Tuesday.
    assert case.resolution_due == MONDAY + timedelta(days=1, hours=1)


def test_a_status_change_outside_the_workflow_says_what_is_possible(session: Session) -> None:
    desk, case = open_one(session)
    set_status(desk, case, "closed", actor="ann")
    with pytest.raises(Conflict, match="it can become reopened"):
        set_status(desk, case, "waiting", actor="ann")
    with pytest.raises(ValidationFailed):
        set_status(desk, case, "frozen", actor="ann")


def test_round_robin_takes_turns_and_least_open_balances(session: Session) -> None:
    team = make_department(session)
    first, second = make_agent(session, team), make_agent(session, team)
    owners = [open_one(session, department_id=team.id)[1].assignee_id for _ in range(3)]
    assert owners == [first.id, second.id, first.id]

    session.get(DepartmentSetup, team.id).assignment = "least_open"
    assert open_one(session, department_id=team.id)[1].assignee_id == second.id


def test_language_and_skills_pick_the_agent(session: Session) -> None:
    team = make_department(session)
    make_agent(session, team, languages=["en"])
    french = make_agent(session, team, languages=["fr"], skills=["Billing"])
    _, case = open_one(session, department_id=team.id, language="fr")
    assert case.assignee_id == french.id


def test_a_case_for_a_department_nobody_can_work_goes_to_triage(session: Session) -> None:
    empty = make_department(session, "night-shift")
    make_agent(session, empty, role="viewer")  # a member, but not allowed to work cases
    _, case = open_one(session, department_id=empty.id)
    assert (case.department_id, case.queue, case.assignee_id) == (None, "triage", None)
    assert case.routing["reason"] == "nobody in night-shift can take cases"


def test_a_department_that_hands_out_work_by_hand_keeps_its_cases_unassigned(
    session: Session,
) -> None:
    team = make_team(session)
    session.add(DepartmentSetup(department_id=team.id, assignment="manual"))
    _, case = open_one(session, department_id=team.id)
    assert case.department_id == team.id and case.assignee_id is None


def test_viewers_and_outsiders_cannot_be_given_a_case(session: Session) -> None:
    team = make_team(session)
    viewer = make_agent(session, team, role="viewer")
    desk, case = open_one(session, department_id=team.id)
    with pytest.raises(ValidationFailed, match="cannot take cases"):
        assign(desk, case, viewer.id, actor="lead")


def test_a_transfer_keeps_the_history_and_restarts_on_the_new_policy(
    session: Session, paris_team
) -> None:
    desk, case = open_one(session)
    assert case.resolution_due is None  # no policy for cases without a department
    transfer(desk, case, paris_team.id, actor="lead", now=MONDAY)
    assert case.department_id == paris_team.id
    assert case.resolution_due == MONDAY + timedelta(hours=8)
    kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id))
    assert list(kinds)[:2] == ["opened", "transferred"]


def test_merging_a_duplicate_moves_its_interactions_and_closes_it(session: Session) -> None:
    customer = make_customer(session)
    one, two = (make_interaction(session, customer=customer, text=t) for t in ("a", "b"))
    desk, winner = open_one(session, customer=customer, interaction_ids=[one.id])
    _, loser = open_one(session, customer=customer, interaction_ids=[two.id], tags=["dup"])

    merge(desk, winner, loser, actor="ann")

    links = session.scalars(select(CaseLink.interaction_id).where(CaseLink.case_id == winner.id))
    assert set(links) == {one.id, two.id}
    assert (loser.status, loser.merged_into_id, winner.tags) == ("closed", winner.id, ["dup"])
    with pytest.raises(Conflict):
        merge(desk, winner, loser, actor="ann")


def test_cases_of_two_customers_are_not_merged(session: Session) -> None:
    desk, first = open_one(session)
    _, second = open_one(session)
    with pytest.raises(ValidationFailed, match="same customer"):
        merge(desk, first, second, actor="ann")
