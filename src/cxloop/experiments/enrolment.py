"""Customers joining an experiment, and the moment each meets their arm.

:func:`enrol` is the one way in, for people (the API, a segment) and for playbooks alike. A
customer keeps the first arm they were given: the stored row wins over any later
recomputation. A stratified experiment deals each batch enrolled together so that every
stratum is split in the arms' proportions; a customer enrolled alone (at exposure, by a
playbook) gets their hash arm instead, because dealing a batch of one would put everyone of a
stratum in the same arm.

Exposure is logged for every arm, the control included, at the moment the treatment would
happen (the detractor answer that would trigger a callback): the effect is measured from that
moment, the same way in each arm. It is also an interaction on the customer's timeline, whose
message id makes it idempotent per experiment and customer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.experiments.assignment import assign, assign_stratified
from cxloop.experiments.models import Assignment, Experiment
from cxloop.experiments.outcomes import EXPOSURE_TYPE
from cxloop.experiments.schemas import Enrolment
from cxloop.experiments.service import arms_of, require_running
from cxloop.interactions import InteractionIn, store_interactions
from cxloop.types import utcnow

NO_VALUE = "(none)"
MAX_ENROL = 100_000


def trait_text(traits: Mapping[str, object], name: str) -> str:
    """A trait as a stratum or segment label; customers without it form their own group."""
    value = traits.get(name)
    return NO_VALUE if value is None or value == "" else str(value)


def _live_traits(session: Session, customer_ids: Iterable[int]) -> dict[int, dict[str, object]]:
    wanted = sorted(set(customer_ids))
    found: dict[int, dict[str, object]] = {}
    for start in range(0, len(wanted), 1000):
        rows = session.execute(
            select(Customer.id, Customer.traits).where(
                Customer.id.in_(wanted[start : start + 1000]), Customer.merged_into_id.is_(None)
            )
        )
        found.update({cid: traits or {} for cid, traits in rows})
    missing = [cid for cid in wanted if cid not in found]
    if missing:
        shown = ", ".join(str(c) for c in missing[:5])
        raise ValidationFailed(
            f"{len(missing)} of the customers do not exist or were merged into others: {shown}",
            field="customer_ids",
        )
    return found


def _existing(session: Session, experiment: Experiment, ids: Sequence[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(Assignment.customer_id, Assignment.arm).where(
                Assignment.experiment_id == experiment.id,
                Assignment.customer_id.in_(ids[start : start + 1000]),
            )
        )
        found.update({cid: arm for cid, arm in rows})
    return found


def _arms_for(experiment: Experiment, traits: Mapping[int, Mapping[str, object]]) -> dict[int, str]:
    arms = arms_of(experiment)
    if experiment.stratify_by and len(traits) > 1:
        strata = {str(cid): trait_text(t, experiment.stratify_by) for cid, t in traits.items()}
        dealt = assign_stratified(experiment.key, strata, arms)
        return {int(cid): arm for cid, arm in dealt.items()}
    return {cid: assign(experiment.key, str(cid), arms) for cid in traits}


def enrol(session: Session, experiment: Experiment, customer_ids: Iterable[int]) -> Enrolment:
    """Give each customer an arm (those already in the experiment keep theirs)."""
    require_running(experiment)
    ids = sorted(set(customer_ids))
    if not ids:
        raise ValidationFailed("no customers to assign", field="customer_ids")
    if len(ids) > MAX_ENROL:
        raise ValidationFailed(f"assign at most {MAX_ENROL} customers at once", field="customers")
    traits = _live_traits(session, ids)
    existing = _existing(session, experiment, ids)
    fresh = _arms_for(experiment, {cid: traits[cid] for cid in ids if cid not in existing})
    now = utcnow()
    session.add_all(
        Assignment(experiment_id=experiment.id, customer_id=cid, arm=arm, assigned_at=now)
        for cid, arm in fresh.items()
    )
    session.flush()
    return Enrolment(
        assigned=dict(Counter(fresh.values())),
        already=len(existing),
        arms={**existing, **fresh},
    )


def segment(session: Session, traits: Mapping[str, str]) -> list[int]:
    """Live customers whose traits equal every one given (compared as text)."""
    if not traits:
        raise ValidationFailed("a segment names at least one trait", field="segment")
    rows = session.execute(
        select(Customer.id, Customer.traits).where(Customer.merged_into_id.is_(None))
    )
    return [
        cid
        for cid, own in rows
        if all(trait_text(own or {}, k) == str(v) for k, v in traits.items())
    ]


@dataclass(frozen=True, slots=True)
class Exposure:
    customer_id: int
    channel: str
    at: datetime | None = None
    stage: str | None = None
    """The journey stage the customer was in when they met the arm, so the exposure sits in
    the journey like any other touchpoint; None when no stage applies."""


def expose(
    session: Session, experiment: Experiment, exposures: Sequence[Exposure]
) -> list[Assignment]:
    """Record that customers met their arm; a customer's first exposure is the one that counts."""
    require_running(experiment)
    arms = enrol(session, experiment, [e.customer_id for e in exposures]).arms
    rows = {
        a.customer_id: a
        for a in session.scalars(
            select(Assignment).where(
                Assignment.experiment_id == experiment.id,
                Assignment.customer_id.in_(sorted(arms)),
            )
        )
    }
    now = utcnow()
    first: dict[int, Exposure] = {}
    for exposure in exposures:
        if rows[exposure.customer_id].exposed_at is None:
            first.setdefault(exposure.customer_id, exposure)
    records = [
        InteractionIn(
            message_id=f"experiment-{experiment.id}-exposure-{cid}",
            type=EXPOSURE_TYPE,
            channel=e.channel,
            stage=e.stage,
            occurred_at=e.at or now,
            received_at=now,
            customer_id=cid,
            direction="out",
            properties={"experiment": experiment.key, "arm": arms[cid]},
        )
        for cid, e in first.items()
    ]
    stored = store_interactions(session, records)
    if stored.rejected:
        problem = stored.rejected[0]
        raise ValidationFailed(problem.detail, field=problem.field or "channel")
    for cid, e in first.items():
        rows[cid].exposed_at = e.at or now
        rows[cid].exposure_channel = e.channel
    session.flush()
    return [rows[e.customer_id] for e in exposures]
