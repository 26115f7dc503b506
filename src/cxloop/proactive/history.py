"""A company's own history as a churn training set, and who may be scored.

Who left is told by a trait (``churned: yes``, ``status: churned``) or by reaching a journey
stage (the first interaction in "termination"). A customer who left is described as they
were :data:`LEAD` before they started leaving (the termination stage), one who stayed as
they were :data:`LEAD` ago, so the model learns to warn a month ahead from what could be
known then, not from the cancellation call or the silence after someone has gone.

Scoring a customer's risk is profiling: customers whose latest decision on the ``profiling``
purpose is a refusal are neither learnt from nor scored (an objection, as the GDPR allows;
without any decision, a company's legitimate interest in keeping its customers applies).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.insights import TERMINATION
from cxloop.interactions import Interaction
from cxloop.privacy import ConsentRecord, Purpose
from cxloop.proactive.labels import outcome_of
from cxloop.proactive.table import Table, cell, label_text
from cxloop.proactive.timeline import chunks, eligible_traits, timeline_table

LEAD = timedelta(days=30)
EPISODE = timedelta(days=90)
STAGE_LABEL = "churned"
LEFT, STAYED = "yes", "no"


@dataclass(frozen=True)
class LabelSource:
    """Where "this customer left" is read: a trait, or reaching a journey stage."""

    trait: str | None = None
    stage: str | None = None
    positive: str | None = None

    def __post_init__(self) -> None:
        if (self.trait is None) == (self.stage is None):
            raise ValidationFailed(
                "say who left with --label-trait NAME or --label-stage STAGE (one of them)",
                field="label_trait",
            )

    @property
    def column(self) -> str:
        return self.trait or STAGE_LABEL

    def as_dict(self) -> dict[str, Any]:
        return {"trait": self.trait, "stage": self.stage, "positive": self.positive}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LabelSource:
        return cls(trait=data.get("trait"), stage=data.get("stage"), positive=data.get("positive"))


@dataclass(frozen=True)
class TrainingSet:
    table: Table
    traits: list[str]
    positive: str
    refused: int
    """Customers left out because they object to profiling."""


def refused_profiling(session: Session, customer_ids: Sequence[int]) -> set[int]:
    """Customers whose latest decision on profiling is a refusal."""
    latest: dict[int, bool] = {}
    for ids in chunks(customer_ids):
        rows = session.execute(
            select(ConsentRecord.customer_id, ConsentRecord.granted)
            .where(
                ConsentRecord.customer_id.in_(ids),
                ConsentRecord.purpose == Purpose.profiling.value,
            )
            .order_by(ConsentRecord.recorded_at, ConsentRecord.id)
        )
        latest.update(dict(rows.all()))
    return {customer_id for customer_id, granted in latest.items() if not granted}


def reached_stage(session: Session, customer_ids: Sequence[int], stage: str) -> dict[int, datetime]:
    """When each customer first reached ``stage``."""
    found: dict[int, datetime] = {}
    for ids in chunks(customer_ids):
        rows = session.execute(
            select(Interaction.customer_id, func.min(Interaction.occurred_at))
            .where(Interaction.customer_id.in_(ids), Interaction.stage == stage)
            .group_by(Interaction.customer_id)
        )
        found.update(dict(rows.all()))
    return found


def last_seen(session: Session, customer_ids: Sequence[int]) -> dict[int, datetime]:
    found: dict[int, datetime] = {}
    for ids in chunks(customer_ids):
        rows = session.execute(
            select(Interaction.customer_id, func.max(Interaction.occurred_at))
            .where(Interaction.customer_id.in_(ids))
            .group_by(Interaction.customer_id)
        )
        found.update(dict(rows.all()))
    return found


def customer_traits(session: Session) -> dict[int, dict[str, Any]]:
    rows = session.execute(
        select(Customer.id, Customer.traits).where(Customer.merged_into_id.is_(None))
    )
    return {customer_id: dict(traits or {}) for customer_id, traits in rows}


def _labels(
    session: Session, label: LabelSource, traits: Mapping[int, Mapping[str, Any]], now: datetime
) -> tuple[dict[int, str], dict[int, datetime], str]:
    """Each customer's label and cut-off, and the label value meaning "left"."""
    ids = sorted(traits)
    if label.stage is not None:
        left = reached_stage(session, ids, label.stage)
        if not left:
            raise ValidationFailed(
                f"no customer has an interaction in the stage '{label.stage}'", field="label_stage"
            )
        labels = {i: LEFT if i in left else STAYED for i in ids}
        cutoffs = {i: left[i] - LEAD if i in left else now - LEAD for i in ids}
        return labels, cutoffs, LEFT
    assert label.trait is not None
    labels = {
        i: label_text(value)
        for i, row in traits.items()
        if (value := cell(row.get(label.trait))) is not None
    }
    if not labels:
        raise ValidationFailed(f"no customer has the trait '{label.trait}'", field="label_trait")
    outcome = outcome_of(list(labels.values()), column=label.trait, positive=label.positive)
    gone = sorted(i for i, value in labels.items() if value == outcome.positive)
    started = leaving_started(session, gone)
    cutoffs = {i: started.get(i, now) - LEAD for i in labels}
    return labels, cutoffs, outcome.positive


def leaving_started(session: Session, customer_ids: Sequence[int]) -> dict[int, datetime]:
    """When customers a trait says left began leaving: their first interaction in the
    termination stage of their last episode (the 90 days before their last interaction),
    else their last interaction. A cancellation call is what the model must anticipate,
    not what it learns from."""
    seen = last_seen(session, customer_ids)
    started = dict(seen)
    for ids in chunks(customer_ids):
        rows = session.execute(
            select(Interaction.customer_id, Interaction.occurred_at).where(
                Interaction.customer_id.in_(ids), Interaction.stage == TERMINATION
            )
        )
        for customer_id, at in rows:
            if seen[customer_id] - EPISODE <= at < started[customer_id]:
                started[customer_id] = at
    return started


def _since(
    session: Session,
    label: LabelSource,
    labels: Mapping[int, str],
    cutoffs: Mapping[int, datetime],
    positive: str,
    since: datetime,
) -> dict[int, datetime]:
    """The cut-offs of what happened after ``since``. A trait can say someone left without
    any interaction to date it: such a customer cannot be shown to have left since, so is
    left out rather than counted as a new leaver."""
    undated: set[int] = set()
    if label.trait is not None:
        gone = [i for i in cutoffs if labels[i] == positive]
        undated = set(gone) - set(last_seen(session, gone))
    return {i: at for i, at in cutoffs.items() if at >= since - LEAD and i not in undated}


def training_set(
    session: Session,
    label: LabelSource,
    *,
    traits: Sequence[str] | None,
    now: datetime,
    since: datetime | None = None,
) -> TrainingSet:
    """Every customer with a label, at their cut-off, minus those who object to profiling.

    With ``since`` (when a model was trained), only what happened after it: customers who
    began leaving since then, and those still here described as they are now (a month ago),
    which is how a deployed model is measured on customers it could not have learnt from."""
    everyone = customer_traits(session)
    labels, cutoffs, positive = _labels(session, label, everyone, now)
    if since is not None:
        cutoffs = _since(session, label, labels, cutoffs, positive, since)
    refused = refused_profiling(session, sorted(cutoffs))
    kept = {i: at for i, at in cutoffs.items() if i not in refused}
    chosen = (
        list(traits)
        if traits
        else eligible_traits((everyone[i] for i in kept), exclude=[label.column])
    )
    if label.trait in chosen:
        raise ValidationFailed(
            f"the trait '{label.trait}' is the label; it cannot also be a feature", field="trait"
        )
    table = timeline_table(session, kept, traits=chosen, now=now, labels=labels)
    return TrainingSet(table=table, traits=chosen, positive=positive, refused=len(refused))


def still_customers(
    session: Session, customer_ids: Sequence[int], spec: Mapping[str, Any]
) -> list[int]:
    """Of these customers, those a model trained with ``spec`` should score: not already
    gone by its own label, and not objecting to profiling."""
    label = LabelSource.from_dict(spec["label"])
    gone: set[int] = set(refused_profiling(session, customer_ids))
    if label.stage is not None:
        gone |= set(reached_stage(session, customer_ids, label.stage))
    else:
        rows = session.execute(
            select(Customer.id, Customer.traits).where(Customer.id.in_(list(customer_ids)))
        )
        gone |= {
            i
            for i, traits in rows
            if (value := cell((traits or {}).get(label.trait))) is not None
            and label_text(value) == spec["positive"]
        }
    return [i for i in customer_ids if i not in gone]
