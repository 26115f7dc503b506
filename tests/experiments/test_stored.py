"""Experiments are stored with their plan, customers keep their arm, exposure is on the
timeline once per customer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, ValidationFailed
from cxloop.experiments import (
    EXPOSURE_TYPE,
    Assignment,
    ExperimentCreate,
    Exposure,
    PlanIn,
    assign,
    counts,
    create_experiment,
    enrol,
    expose,
    segment,
    start_experiment,
    stop_experiment,
    update_plan,
)
from cxloop.experiments.assignment import Arm
from cxloop.interactions import Interaction
from tests.experiments.factories import EXPOSED, customers, experiment_data, make_experiment


def test_a_customer_keeps_their_hash_arm_and_a_second_enrolment_changes_nothing(
    session: Session,
) -> None:
    experiment = make_experiment(session)
    ids = customers(session, 20)
    first = enrol(session, experiment, ids)
    arms = (Arm("control"), Arm("call"))
    assert first.arms == {cid: assign(experiment.key, str(cid), arms) for cid in ids}
    assert sum(first.assigned.values()) == 20
    again = enrol(session, experiment, ids[:5])
    assert again.assigned == {} and again.already == 5
    assert again.arms == {cid: first.arms[cid] for cid in ids[:5]}


def test_stratified_experiments_split_each_stratum_evenly(session: Session) -> None:
    experiment = make_experiment(session, stratify_by="plan")
    ids = customers(session, 10, plan="premium") + customers(session, 6, plan="basic")
    arms = enrol(session, experiment, ids).arms
    for group in (ids[:10], ids[10:]):
        in_call = sum(arms[cid] == "call" for cid in group)
        assert in_call == len(group) // 2


def test_a_segment_is_every_live_customer_with_those_traits(session: Session) -> None:
    premium = customers(session, 3, plan="premium")
    customers(session, 2, plan="basic")
    found = segment(session, {"plan": "premium"})
    assert set(premium) <= set(found)
    assert not set(found) & set(segment(session, {"plan": "basic"}))


def test_exposure_is_an_interaction_on_the_timeline_once_per_customer(session: Session) -> None:
    experiment = make_experiment(session)
    (cid,) = customers(session, 1)
    expose(session, experiment, [Exposure(cid, "phone", EXPOSED, "support")])
    expose(session, experiment, [Exposure(cid, "email")])  # later: the first one counts
    logged = session.scalars(
        select(Interaction).where(Interaction.customer_id == cid, Interaction.type == EXPOSURE_TYPE)
    ).all()
    assert len(logged) == 1
    (row,) = session.scalars(select(Assignment).where(Assignment.customer_id == cid))
    assert logged[0].channel == "phone" and logged[0].occurred_at == EXPOSED
    assert logged[0].stage == "support"
    assert logged[0].properties == {"experiment": experiment.key, "arm": row.arm}
    assert row.exposed_at == EXPOSED and row.exposure_channel == "phone"
    assert counts(session, [experiment.id])[experiment.id][row.arm] == {
        "assigned": 1,
        "exposed": 1,
    }


def test_an_unknown_channel_is_refused_with_its_name(session: Session) -> None:
    experiment = make_experiment(session)
    (cid,) = customers(session, 1)
    with pytest.raises(ValidationFailed, match="pigeon"):
        expose(session, experiment, [Exposure(cid, "pigeon")])


def test_nobody_joins_a_draft_or_a_stopped_experiment(session: Session) -> None:
    experiment = make_experiment(session, start=False)
    ids = customers(session, 2)
    with pytest.raises(Conflict, match="start it first"):
        enrol(session, experiment, ids)
    start_experiment(session, experiment)
    stop_experiment(session, experiment)
    with pytest.raises(Conflict):
        enrol(session, experiment, ids)


def test_the_plan_changes_only_while_a_draft(session: Session) -> None:
    experiment = make_experiment(session, start=False)
    plan = PlanIn(analysis="sequential", minimum_effect=5, per_arm=100)
    update_plan(session, experiment, plan)
    assert experiment.analysis == "sequential" and experiment.per_arm == 100
    start_experiment(session, experiment)
    with pytest.raises(Conflict, match="fixed when it started"):
        update_plan(session, experiment, plan)


def test_stopping_without_data_keeps_the_reason_as_the_verdict(session: Session) -> None:
    experiment = make_experiment(session)
    stop_experiment(session, experiment)
    assert experiment.status == "stopped" and experiment.stopped_at is not None
    assert experiment.verdict == (
        "Stopped without a result: arm 'control' has no customers assigned; "
        "there is no effect to estimate yet"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"metric": "nope"}, "no metric named 'nope'"),
        ({"metric": "response_rate"}, "not one customer's"),
        ({"metric": "nps", "binary": True}, "applies to counts"),
        ({"metric": "volume", "filters": ["colour:red"]}, "cannot be filtered by 'colour'"),
        ({"arms": [{"name": "a"}, {"name": "a"}]}, "arm names repeat"),
        (
            {"plan": {"analysis": "fixed", "minimum_effect": 0, "per_arm": 10}},
            "non-zero minimum effect",
        ),
    ],
)
def test_a_bad_design_is_refused_before_it_is_stored(
    session: Session, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        create_experiment(session, ExperimentCreate.model_validate(experiment_data(**overrides)))


def test_keys_are_never_reused(session: Session) -> None:
    make_experiment(session, key="winback")
    with pytest.raises(Conflict, match="winback"):
        make_experiment(session, key="winback")
