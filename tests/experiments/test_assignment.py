"""Customers land in arms by a hash: stable, independent across experiments, balanced."""

from __future__ import annotations

from collections import Counter

import pytest

from cxloop.errors import ValidationFailed
from cxloop.experiments import Arm, assign, assign_stratified

TWO = (Arm("control"), Arm("treatment"))


def test_a_customer_always_gets_the_same_arm_of_an_experiment() -> None:
    first = [assign("winback-2026", f"c{i}", TWO) for i in range(500)]
    again = [assign("winback-2026", f"c{i}", TWO) for i in range(500)]
    assert first == again


def test_arms_get_customers_in_proportion_to_their_weights() -> None:
    arms = (Arm("control", 3), Arm("call", 1))
    counts = Counter(assign("calls", f"c{i}", arms) for i in range(8000))
    assert abs(counts["control"] / 8000 - 0.75) < 0.02


def test_two_experiments_split_the_same_customers_independently() -> None:
    pairs = Counter(
        (assign("first", f"c{i}", TWO), assign("second", f"c{i}", TWO)) for i in range(4000)
    )
    assert all(abs(n / 4000 - 0.25) < 0.03 for n in pairs.values()) and len(pairs) == 4


def test_stratified_assignment_balances_every_stratum_whatever_the_order() -> None:
    strata = {f"c{i}": ("high" if i % 10 == 0 else "low") for i in range(1001)}
    assigned = assign_stratified("retention", strata, TWO)
    for stratum in ("high", "low"):
        counts = Counter(arm for c, arm in assigned.items() if strata[c] == stratum)
        assert abs(counts["control"] - counts["treatment"]) <= 1
    reversed_order = dict(reversed(list(strata.items())))
    assert assign_stratified("retention", reversed_order, TWO) == assigned


def test_stratified_remainders_do_not_all_go_to_the_first_arm() -> None:
    strata = {f"c{s}-{i}": s for s in range(40) for i in range(3)}
    counts = Counter(assign_stratified("odd", strata, TWO).values())
    assert counts["control"] < 80 and counts["treatment"] < 80


@pytest.mark.parametrize(
    ("arms", "message"),
    [
        ((Arm("only"),), "at least two arms"),
        ((Arm("a"), Arm("a")), "arm names repeat"),
        ((Arm("a"), Arm("b", 0)), "whole numbers of at least 1"),
    ],
)
def test_an_experiment_without_two_proper_arms_is_refused(
    arms: tuple[Arm, ...], message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        assign("x", "c1", arms)
