"""Risk of detraction: the chance that a customer's next survey answer is a detractor's
(NPS 0 to 6), learnt from the timeline the way churn is.

Each customer who has answered an NPS question is one training row: the label is whether
their latest answer was 0-6, the features are their timeline as it was just before that
answer (the same features as churn, so "last NPS" is the answer before it). Scored at
``now``, the model says how a customer would answer if asked today: a team can call before
the survey rather than after the detractor score, and a customer can be unhappy long before
they think of leaving, which the churn score alone does not show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.insights import SURVEY_CHANNEL
from cxloop.interactions import Interaction
from cxloop.proactive.history import TrainingSet, customer_traits, refused_profiling
from cxloop.proactive.timeline import answer_scores, chunks, eligible_traits, timeline_table

LABEL_COLUMN = "detractor"
DETRACTOR_MAX = 6  # NPS answers 0-6 are detractors', as the metric catalogue counts them
YES, NO = "yes", "no"
NEEDS = "a detraction model needs customers who answered 0-6 and customers who answered 7-10"
LABEL = {"column": LABEL_COLUMN, "meaning": "latest NPS answer 0-6"}


def latest_nps(session: Session, customer_ids: Sequence[int]) -> dict[int, tuple[datetime, float]]:
    """Each customer's latest NPS answer: when, and the score."""
    found: dict[int, tuple[datetime, float]] = {}
    for ids in chunks(customer_ids):
        rows = session.execute(
            select(Interaction.customer_id, Interaction.occurred_at, Interaction.properties).where(
                Interaction.customer_id.in_(ids), Interaction.channel == SURVEY_CHANNEL
            )
        )
        for customer_id, at, properties in rows:
            nps = answer_scores(properties).get("nps")
            if not isinstance(nps, int | float) or isinstance(nps, bool):
                continue
            if customer_id not in found or at > found[customer_id][0]:
                found[customer_id] = (at, float(nps))
    return found


def detraction_set(
    session: Session,
    *,
    traits: Sequence[str] | None,
    now: datetime,
    since: datetime | None = None,
) -> TrainingSet:
    """Every customer with an NPS answer, described just before their latest one, minus those
    who object to profiling; with ``since``, only those whose latest answer came after it
    (how a deployed model is measured on answers it could not have learnt from)."""
    everyone = customer_traits(session)
    answers = latest_nps(session, sorted(everyone))
    if since is not None:
        answers = {i: answer for i, answer in answers.items() if answer[0] >= since}
    if not answers:
        when = f" since {since:%Y-%m-%d}" if since is not None else ""
        raise ValidationFailed(
            f"no customer has answered an NPS question{when}; a detraction model learns from "
            "survey answers",
            field="task",
        )
    refused = refused_profiling(session, sorted(answers))
    kept = {i: at for i, (at, _) in answers.items() if i not in refused}
    labels = {i: YES if score <= DETRACTOR_MAX else NO for i, (_, score) in answers.items()}
    chosen = list(traits) if traits else eligible_traits(everyone[i] for i in kept)
    table = timeline_table(session, kept, traits=chosen, now=now, labels=labels)
    return TrainingSet(table=table, traits=chosen, positive=YES, refused=len(refused))


def may_score(session: Session, customer_ids: Sequence[int]) -> list[int]:
    """Of these customers, those the detraction model scores: all but those who object to
    profiling (someone who never answered a survey can still be asked)."""
    refused = refused_profiling(session, customer_ids)
    return [i for i in customer_ids if i not in refused]
