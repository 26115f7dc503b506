"""An experiment's effect on a catalogue metric, each customer measured over the window after
their own exposure, under the plan stated up front, with its uplift by segment."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.experiments import results, stop_experiment
from tests.experiments.factories import AFTER, EXPOSED, customers, exposed, make_experiment, nps
from tests.insights.factories import make_scores_survey
from tests.interactions.factories import make_interaction

DAY = timedelta(days=1)


def test_nps_after_exposure_per_customer_gives_the_effect_and_a_verdict(session: Session) -> None:
    experiment = make_experiment(
        session, plan={"analysis": "fixed", "minimum_effect": 20, "per_arm": 4, "cuped": False}
    )
    survey = make_scores_survey(session)
    # 40 customers, not 24: the hash of the ids the database hands out left an arm with 4 or
    # fewer (no verdict, or an arm mean far from its cycle's) about once in a thousand runs.
    arms = exposed(session, experiment, customers(session, 40))
    scores = {"control": [3, 6, 8, 10], "call": [9, 10, 10, 8]}
    seen = {"control": 0, "call": 0}
    for cid, arm in arms.items():
        score = scores[arm][seen[arm] % 4]
        seen[arm] += 1
        nps(session, survey, cid, score, EXPOSED + 3 * DAY)
        nps(session, survey, cid, 0, EXPOSED + 31 * DAY)  # after the window: not counted
        nps(session, survey, cid, 0, EXPOSED - DAY)  # before exposure: not an outcome
    found = results(session, experiment, now=AFTER)
    by_name = {a.name: a for a in found.arms}
    assert by_name["control"].measured == seen["control"]
    # promoters 100, passives 0, detractors -100, averaged per arm (the catalogue's NPS)
    expected = {
        arm: 100 * (sum(s >= 9 for s in v) - sum(s <= 6 for s in v)) / 4
        for arm, v in scores.items()
    }
    assert by_name["call"].mean == pytest.approx(expected["call"], abs=15)
    (comparison,) = found.comparisons
    effect = comparison.effect
    assert effect["difference"] == pytest.approx(by_name["call"].mean - by_name["control"].mean)
    assert effect["low"] < effect["difference"] < effect["high"]
    assert comparison.finished
    assert comparison.verdict.startswith("call raises Net Promoter Score by")
    assert comparison.verdict.endswith("That is an improvement.")
    assert found.verdict == comparison.verdict


def test_contacts_use_cuped_from_the_window_before_exposure(session: Session) -> None:
    experiment = make_experiment(
        session,
        metric="volume",
        filters=["direction:in"],
        better="lower",
        plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 5},
    )
    arms = exposed(session, experiment, customers(session, 40))  # 30 left an arm too small
    # Each arm is dealt the same customers whatever the hash gives it: heavy users stay heavy
    # users (habit, seen before and after), and every other group of four makes one contact
    # more afterwards by chance, so the after-window has noise the pre-period cannot explain.
    dealt: Counter[str] = Counter()
    for cid, arm in arms.items():
        habit, chance = dealt[arm] % 4, dealt[arm] // 4 % 2
        dealt[arm] += 1
        for k in range(habit):
            make_interaction(session, customer_id=cid, occurred_at=EXPOSED - (k + 1) * DAY)
        for k in range(habit + chance + (0 if arm == "call" else 2)):
            make_interaction(session, customer_id=cid, occurred_at=EXPOSED + (k + 1) * DAY)
        make_interaction(session, customer_id=cid, direction="out", occurred_at=EXPOSED + DAY)
    found = results(session, experiment, now=AFTER)
    (comparison,) = found.comparisons
    assert comparison.effect["method"] == "CUPED + Welch t-test"
    assert comparison.effect["low"] < -2 < comparison.effect["high"]
    assert comparison.effect["difference"] == pytest.approx(-2, abs=0.25)
    assert comparison.effect["variance_reduction"] > 0.5
    assert found.unit == "interactions per customer"
    assert comparison.verdict.startswith("call lowers Interaction volume by")
    assert comparison.verdict.endswith("That is an improvement.")  # fewer contacts is better


def test_churn_is_whether_a_customer_reached_termination_in_the_window(session: Session) -> None:
    experiment = make_experiment(
        session,
        metric="volume",
        filters=["stage:termination"],
        binary=True,
        plan={"analysis": "fixed", "minimum_effect": 10, "per_arm": 5, "cuped": False},
    )
    arms = exposed(session, experiment, customers(session, 20))
    churners = [cid for cid, arm in arms.items() if arm == "control"][::2]
    for cid in churners:  # several termination steps still count once
        for k in range(3):
            make_interaction(
                session, customer_id=cid, stage="termination", occurred_at=EXPOSED + (k + 1) * DAY
            )
    found = results(session, experiment, now=AFTER)
    control, call = found.arms
    assert control.mean == pytest.approx(100 * len(churners) / control.measured)
    assert call.mean == 0
    assert found.unit == "% of customers"


def test_a_fixed_horizon_gives_no_verdict_before_its_planned_sample(session: Session) -> None:
    experiment = make_experiment(
        session,
        metric="volume",
        plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 500, "cuped": False},
    )
    # 40 customers, not 10: an arm the hash gave fewer than 2 of them (no variance, so no
    # comparison at all) came up about once in fifty runs.
    arms = exposed(session, experiment, customers(session, 40))
    for cid in arms:
        make_interaction(session, customer_id=cid, occurred_at=EXPOSED + DAY * (cid % 3 + 1))
    (comparison,) = results(session, experiment, now=AFTER).comparisons
    assert not comparison.finished
    assert comparison.verdict.startswith("Not finished:")
    assert "of 500 customers in the smaller arm" in comparison.verdict


def test_customers_inside_their_window_wait_and_an_empty_arm_is_named(session: Session) -> None:
    experiment = make_experiment(session, metric="volume")
    # Enough customers that hashing leaves no arm empty whatever ids the database hands out
    # (with six, both fell in one arm about once in thirty runs).
    ids = customers(session, 40)
    exposed(session, experiment, ids)
    with pytest.raises(ValidationFailed, match="none past their 30-day window yet"):
        results(session, experiment, now=EXPOSED + 10 * DAY)
    empty = make_experiment(
        session,
        metric="volume",
        arms=[{"name": "control"}, {"name": "never", "weight": 1}, {"name": "call", "weight": 100}],
    )
    # One customer, not four: whichever arm the hash gives them, two stay empty and the first
    # of those is control or never. With four, control and never both got one about once in
    # 900 runs, and the error was about a too-small arm instead.
    exposed(session, empty, customers(session, 1))
    with pytest.raises(ValidationFailed, match=r"arm '(control|never)' has no customers assigned"):
        results(session, empty, now=AFTER)


def test_nps_without_answers_in_the_window_is_named(session: Session) -> None:
    experiment = make_experiment(session)
    exposed(session, experiment, customers(session, 6))
    with pytest.raises(ValidationFailed, match="no customer with a Net Promoter Score value"):
        results(session, experiment, now=AFTER)


def test_uplift_shows_the_segment_the_action_helps_most(session: Session) -> None:
    experiment = make_experiment(
        session,
        metric="volume",
        stratify_by="plan",
        better="lower",
        plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 5, "cuped": False},
    )
    ids = customers(session, 16, plan="premium") + customers(session, 16, plan="basic")
    arms = exposed(session, experiment, ids)
    turn: Counter[tuple[bool, str]] = Counter()
    for i, cid in enumerate(ids):
        premium = i < 16
        turn[premium, arms[cid]] += 1
        helped = arms[cid] == "call" and premium
        contacts = 1 + turn[premium, arms[cid]] % 2 + (0 if helped else 3)
        for k in range(contacts):
            make_interaction(session, customer_id=cid, occurred_at=EXPOSED + (k + 1) * DAY)
    found = results(session, experiment, now=AFTER)
    uplift = found.uplift
    assert uplift is not None and uplift.trait == "plan"
    by_segment = {s.segment: s for s in uplift.segments}
    assert by_segment["premium"].note == "helps"
    assert by_segment["basic"].note == "no clear effect"
    assert uplift.best == "premium"
    assert uplift.summary.startswith("call helps most where plan is premium: -")
    numeric = results(session, experiment, now=AFTER, segment_by="plan_missing")
    assert numeric.uplift is not None and [s.segment for s in numeric.uplift.segments] == ["(none)"]


def test_stopping_keeps_the_verdict(session: Session) -> None:
    experiment = make_experiment(
        session,
        metric="volume",
        plan={"analysis": "fixed", "minimum_effect": 1, "per_arm": 2, "cuped": False},
    )
    # 40 customers, not 12: the hash left an arm with 2 or fewer (no verdict to keep) about
    # once in twenty-five runs.
    arms = exposed(session, experiment, customers(session, 40))
    turn: Counter[str] = Counter()
    for cid, arm in arms.items():
        turn[arm] += 1
        for k in range(1 + turn[arm] % 2 + (2 if arm == "control" else 0)):
            make_interaction(session, customer_id=cid, occurred_at=EXPOSED + (k + 1) * DAY)
    stop_experiment(session, experiment, now=AFTER)
    assert experiment.verdict is not None
    assert experiment.verdict.startswith("call lowers Interaction volume by")
