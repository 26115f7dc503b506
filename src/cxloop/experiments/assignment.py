"""Which arm a customer is in: a hash of the experiment's key and the customer's id.

Hashing needs no stored state to be stable (the same customer always lands in the same arm
of the same experiment, on every machine and after a restart), and different experiments
split customers independently because the key is part of the hash. Stratified assignment
is for a fixed population (everyone at risk today): within each stratum, customers ordered
by their hash are dealt to the arms in turn, so every stratum is split in the arms'
proportions to within one customer, and the result does not depend on the order customers
are given in.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from cxloop.errors import ValidationFailed

HASH_SPACE = float(2**64)


@dataclass(frozen=True)
class Arm:
    name: str
    weight: int = 1  # arms get customers in proportion to their weights


def check_arms(arms: Sequence[Arm]) -> None:
    """Checked when an experiment is created too, so a bad design never reaches a customer."""
    if len(arms) < 2:
        raise ValidationFailed("an experiment needs at least two arms", field="arms")
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise ValidationFailed(f"arm names repeat: {', '.join(names)}", field="arms")
    if any(a.weight < 1 for a in arms):
        raise ValidationFailed("arm weights must be whole numbers of at least 1", field="arms")


def bucket(key: str, customer: str) -> float:
    """A number in [0, 1), uniform over customers and independent across experiment keys."""
    digest = hashlib.sha256(f"{key}\x00{customer}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / HASH_SPACE


def assign(key: str, customer: str, arms: Sequence[Arm]) -> str:
    """The arm of one customer; stable for as long as the key and the arms stay the same."""
    check_arms(arms)
    total = sum(a.weight for a in arms)
    point = bucket(key, customer) * total
    for arm, upper in zip(arms, itertools.accumulate(a.weight for a in arms), strict=True):
        if point < upper:
            return arm.name
    return arms[-1].name


def assign_stratified(
    key: str, strata: Mapping[str, Hashable], arms: Sequence[Arm]
) -> dict[str, str]:
    """Arms for a fixed population, balanced within each stratum (``customer -> stratum``)."""
    check_arms(arms)
    deck = [a.name for a in arms for _ in range(a.weight)]
    members: dict[Hashable, list[str]] = defaultdict(list)
    for customer, stratum in strata.items():
        members[stratum].append(customer)
    assigned: dict[str, str] = {}
    for stratum, customers in members.items():
        customers.sort(key=lambda c: bucket(key, c))
        # A stratum-dependent start, so the remainders do not all fall to the first arm.
        start = int(bucket(key, f"stratum:{stratum!r}") * len(deck))
        for i, customer in enumerate(customers):
            assigned[customer] = deck[(start + i) % len(deck)]
    return assigned
