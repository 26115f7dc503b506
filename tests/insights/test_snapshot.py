"""The materialised analytic tables: whenever a snapshot catches up, it holds exactly what a
fresh reading of the database holds, and between catch-ups it says as of when it is."""

from __future__ import annotations

from datetime import timedelta

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.insights import (
    SCHEMAS,
    AsOf,
    Snapshot,
    extract,
    measure_all,
    metric_named,
    parse_query,
)
from cxloop.surveys import (
    Origin,
    Response,
    complete,
    require_live,
    save_answers,
    start_response,
)
from tests.insights.case_factories import answer as reply_to
from tests.insights.case_factories import churn_threat, make_desk, nps_answer, open_case
from tests.insights.factories import (
    MONDAY,
    Answer,
    answer,
    answer_all,
    invitations,
    make_scores_survey,
    nps_answers,
)

KEYS = {
    "responses": "response_id",
    "interactions": "interaction_id",
    "invitations": "invitation_id",
    "cases": "case_id",
    "signals": "interaction_id",
}
LATER = AsOf(now=MONDAY + timedelta(days=3))


def held(snapshot: Snapshot, name: str) -> pa.Table:
    table: pa.Table = snapshot.tables.table(name).to_pyarrow()
    return table.sort_by(KEYS[name])


def fresh(session: Session, name: str, as_of: AsOf) -> pa.Table:
    return extract(session, name, as_of).sort_by(KEYS[name])


def assert_up_to_date(snapshot: Snapshot, session: Session, as_of: AsOf) -> None:
    snapshot.catch_up(session, as_of)
    assert snapshot.as_of == as_of.now
    for name in SCHEMAS:
        assert held(snapshot, name).equals(fresh(session, name, as_of)), name


def test_a_first_catch_up_reads_every_table(session: Session) -> None:
    survey = make_scores_survey(session)
    answer_all(session, survey, nps_answers([10, 9, 3, 0], channel="web", at=MONDAY))
    invitations(session, survey, channel="email", sent=3, responded=1, at=MONDAY)
    desk = make_desk(session, "billing")
    open_case(session, desk, MONDAY, cause=nps_answer(session, MONDAY, 2))
    churn_threat(session, MONDAY + timedelta(hours=1))

    snapshot = Snapshot(refresh_seconds=0)
    assert_up_to_date(snapshot, session, LATER)
    assert held(snapshot, "responses").num_rows == 4 and held(snapshot, "signals").num_rows == 2


def test_new_answers_and_a_partial_answer_completed_later_are_caught_up(session: Session) -> None:
    survey = make_scores_survey(session)
    answer(session, survey, Answer(at=MONDAY, nps=10))
    partial = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin("web"),
        locale="en",
    )
    save_answers(session, partial, {"nps": 4})
    snapshot = Snapshot(refresh_seconds=0)
    assert_up_to_date(snapshot, session, LATER)
    assert held(snapshot, "responses").num_rows == 1

    answer(session, survey, Answer(at=MONDAY, nps=7))
    complete(session, partial)
    session.flush()
    assert_up_to_date(snapshot, session, AsOf(now=LATER.now + timedelta(minutes=1)))
    assert sorted(held(snapshot, "responses")["nps"].to_pylist()) == [4, 7, 10]


def test_an_erased_answer_below_the_line_is_noticed(session: Session) -> None:
    survey = make_scores_survey(session)
    answer_all(session, survey, nps_answers([10, 9, 3], channel="web", at=MONDAY))
    snapshot = Snapshot(refresh_seconds=0)
    assert_up_to_date(snapshot, session, LATER)

    first = session.scalars(select(Response).order_by(Response.id)).first()
    session.delete(first)
    session.flush()
    assert_up_to_date(snapshot, session, AsOf(now=LATER.now + timedelta(minutes=1)))
    assert held(snapshot, "responses").num_rows == 2


def test_a_deadline_passing_is_read_again_though_nothing_was_written(session: Session) -> None:
    desk = make_desk(session, "billing", first_response_minutes=60)
    open_case(session, desk, MONDAY, cause=nps_answer(session, MONDAY, 1))
    snapshot = Snapshot(refresh_seconds=0)
    before_due = AsOf(now=MONDAY + timedelta(minutes=30))
    assert_up_to_date(snapshot, session, before_due)
    assert held(snapshot, "cases")["first_response_met"].to_pylist() == [None]

    assert_up_to_date(snapshot, session, LATER)
    assert held(snapshot, "cases")["first_response_met"].to_pylist() == [False]
    assert held(snapshot, "signals")["contacted"].to_pylist() == [False]


def test_signals_of_new_interactions_are_added(session: Session) -> None:
    desk = make_desk(session, "billing")
    open_case(session, desk, MONDAY, cause=nps_answer(session, MONDAY, 2))
    snapshot = Snapshot(refresh_seconds=0)
    assert_up_to_date(snapshot, session, LATER)

    nps_answer(session, MONDAY + timedelta(days=1), 0)
    nps_answer(session, MONDAY + timedelta(days=1), 10)
    assert_up_to_date(snapshot, session, AsOf(now=LATER.now + timedelta(minutes=1)))
    assert held(snapshot, "signals").num_rows == 2


def test_between_catch_ups_figures_stay_as_of_the_watermark(session: Session) -> None:
    survey = make_scores_survey(session)
    answer_all(session, survey, nps_answers([10, 10, 0], channel="web", at=MONDAY))
    query = parse_query(
        metric_named("nps"), start=MONDAY - timedelta(days=7), end=MONDAY + timedelta(days=7)
    )
    snapshot = Snapshot(refresh_seconds=60)
    [first] = snapshot.measure_all(session, [query], min_n=1, as_of=LATER)
    answer_all(session, survey, nps_answers([0, 0, 0], channel="web", at=MONDAY))

    soon = AsOf(now=LATER.now + timedelta(seconds=59))
    [same] = snapshot.measure_all(session, [query], min_n=1, as_of=soon)
    assert same == first and snapshot.as_of == LATER.now and first.total.current.n == 3

    after = AsOf(now=LATER.now + timedelta(seconds=60))
    [caught_up] = snapshot.measure_all(session, [query], min_n=1, as_of=after)
    assert snapshot.as_of == after.now
    assert caught_up == measure_all(session, [query], min_n=1, as_of=after)[0]
    assert caught_up.total.current.n == 6


def test_answering_a_case_later_changes_the_signal_it_was_opened_for(session: Session) -> None:
    desk = make_desk(session, "billing", first_response_minutes=120)
    case = open_case(session, desk, MONDAY, cause=nps_answer(session, MONDAY, 1))
    nps_answer(session, MONDAY, 3)  # a detractor no case covers
    snapshot = Snapshot(refresh_seconds=0)
    assert_up_to_date(snapshot, session, AsOf(now=MONDAY + timedelta(minutes=30)))
    assert held(snapshot, "signals")["contacted"].to_pylist() == [None, None]

    reply_to(session, desk, case, MONDAY + timedelta(minutes=45))
    assert_up_to_date(snapshot, session, AsOf(now=MONDAY + timedelta(minutes=50)))
    assert held(snapshot, "signals")["contacted"].to_pylist() == [True, None]
