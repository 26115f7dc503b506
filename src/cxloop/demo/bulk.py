"""Benchmark volumes: clone the demo company's survey history until it has N answers.

Loading the full demo generates every journey one person at a time (about fifty interactions
per customer, texts understood by the models), which takes minutes per thousand customers;
a million answers that way would take days. The bulk path starts from a loaded demo and
copies its own rows at the speed of the database: each copy takes one real answer (its
survey, version, channel, stage, place and scores, without the free text), the invitation it
answered, the demo's unanswered invitations at the demo's rate, and one other touchpoint of
the demo's timelines, for a new customer (one per two answers), moved by up to
``JITTER_DAYS`` and kept inside the demo's window. So rates, score mixes and trends by
channel, stage and survey are those of the demo; the copies have no texts and open no cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.demo.surveys import SURVEYS
from cxloop.errors import NotFound
from cxloop.interactions import Interaction
from cxloop.store.uow import unit_of_work
from cxloop.surveys import Invitation, Response, ResponseStatus, Survey

Copied = type[Customer] | type[Invitation] | type[Response] | type[Interaction]
JITTER_DAYS = 14
BATCH = 10_000
"""Answers copied per unit of work (each commits)."""
PREFIX = "bulk-"
SURVEY_TYPES = ("survey_invited", "survey_response")
SCORED = ("csat", "nps")
"""The answers a copied survey interaction carries under ``scores``, as the demo's own do."""


@dataclass(frozen=True, slots=True)
class Templates:
    """The demo's own rows that copies are made from."""

    answered: list[tuple[dict[str, Any], dict[str, Any] | None]]
    """Each complete response with the invitation it answered, if any."""
    unanswered: list[dict[str, Any]]
    touchpoints: list[dict[str, Any]]
    kinds: dict[int, str]
    """The journeys' name of each survey (what survey interactions carry)."""
    start: datetime
    end: datetime

    @property
    def unanswered_per_answer(self) -> float:
        return len(self.unanswered) / max(len(self.answered), 1)


_RESPONSE = ("survey_id", "version_id", "channel", "stage", "place", "locale", "answers", "status")
_RESPONSE_TIMES = ("started_at", "updated_at", "completed_at")
_INVITATION = ("survey_id", "channel", "stage", "status", "attempts")
_INVITATION_TIMES = (
    "created_at",
    "sent_at",
    "bounced_at",
    "opened_at",
    "started_at",
    "completed_at",
    "expires_at",
)
_TOUCHPOINT: tuple[str, ...] = ("source_id", "channel", "stage", "direction", "assisted", "agent")
_TOUCHPOINT += ("department_id", "type", "properties")
TOUCHPOINT_DEFAULTS: dict[str, Any] = {
    "source_id": None,
    "assisted": False,
    "agent": None,
    "department_id": None,
}
TEMPLATES = 50_000
"""At most this many of the oldest answers and touchpoints serve as templates (the demo's)."""


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _scores_only(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers without free text (copies carry no words to understand)."""
    return {k: v for k, v in answers.items() if not isinstance(v, str) or k == "reason"}


def templates(session: Session) -> Templates:
    responses = session.scalars(
        select(Response)
        .where(Response.status == ResponseStatus.complete.value)
        .order_by(Response.id)
        .limit(TEMPLATES)
    ).all()
    invitations = {
        i.id: i
        for i in session.scalars(select(Invitation).order_by(Invitation.id).limit(TEMPLATES * 3))
    }
    answered_ids = {r.invitation_id for r in responses if r.invitation_id is not None}
    touchpoints = session.scalars(
        select(Interaction)
        .where(Interaction.type.not_in(SURVEY_TYPES))
        .order_by(Interaction.id)
        .limit(TEMPLATES)
    ).all()
    keys = {key: kind for kind, (key, _, _) in SURVEYS.items()}
    kinds = {sid: keys.get(key, key) for sid, key in session.execute(select(Survey.id, Survey.key))}
    times = [r.completed_at for r in responses if r.completed_at is not None]
    if not responses or not times:
        raise NotFound("the demo holds no survey answers to copy: load it without --bulk first")
    return Templates(
        answered=[
            (
                {
                    **_row(r, _RESPONSE),
                    **_row(r, _RESPONSE_TIMES),
                    "answers": _scores_only(r.answers),
                    "with_customer": r.customer_id is not None,
                },
                (
                    {**_row(invitations[r.invitation_id], _INVITATION)}
                    | _row(invitations[r.invitation_id], _INVITATION_TIMES)
                    if r.invitation_id in invitations
                    else None
                ),
            )
            for r in responses
        ],
        unanswered=[
            _row(i, _INVITATION) | _row(i, _INVITATION_TIMES)
            for iid, i in invitations.items()
            if iid not in answered_ids and i.completed_at is None
        ],
        touchpoints=[
            {**_row(t, _TOUCHPOINT), "occurred_at": t.occurred_at, "text": None}
            for t in touchpoints
        ],
        kinds=kinds,
        start=min(times),
        end=max(times),
    )


class Copier:
    """Makes the rows of one batch of copies (deterministic for a seed and a first index)."""

    def __init__(self, found: Templates, rng: random.Random, seed: int) -> None:
        self.t, self.rng, self.seed = found, rng, seed

    def shift(self, moment: datetime | None, by: timedelta) -> datetime | None:
        if moment is None:
            return None
        return min(max(moment + by, self.t.start), self.t.end)

    def moved(
        self, row: dict[str, Any], names: tuple[str, ...], by: timedelta, customer: int
    ) -> dict[str, Any]:
        return {
            **row,
            **{name: self.shift(row[name], by) for name in names},
            "customer_id": customer,
        }

    def jitter(self) -> timedelta:
        return timedelta(seconds=self.rng.uniform(-JITTER_DAYS, JITTER_DAYS) * 86_400)


def copy_batch(session: Session, copier: Copier, first: int, count: int) -> dict[str, int]:
    """``count`` copies numbered from ``first``: customers, invitations, answers, touchpoints."""
    rng, t = copier.rng, copier.t
    customer_rows = [
        {"name": None, "traits": {"copy_of_demo": True}, "created_at": t.start}
        for _ in range((count + 1) // 2)
    ]
    customer_ids = _insert(session, Customer, customer_rows)
    invitations: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    answered_at: list[int | None] = []

    def interaction(customer: int, at: datetime | None, **values: Any) -> None:
        interactions.append(
            {
                **TOUCHPOINT_DEFAULTS,
                "message_id": f"{PREFIX}{copier.seed}-{first}-{len(interactions)}",
                "customer_id": customer,
                "occurred_at": at,
                "received_at": at,
                "text": None,
                **values,
            }
        )

    for k in range(count):
        customer = customer_ids[k // 2]
        response, invitation = rng.choice(t.answered)
        by = copier.jitter()
        answered_at.append(None)
        if invitation is not None:
            answered_at[-1] = len(invitations)
            invitations.append(copier.moved(invitation, _INVITATION_TIMES, by, customer))
        row = copier.moved(response, _RESPONSE_TIMES, by, customer)
        with_customer = row.pop("with_customer")
        row["customer_id"] = customer if with_customer else None
        responses.append(row)
        spread = t.unanswered_per_answer
        for _ in range(int(spread) + (rng.random() < spread % 1)):
            unanswered = rng.choice(t.unanswered)
            invitations.append(copier.moved(unanswered, _INVITATION_TIMES, by, customer))
        touchpoint = rng.choice(t.touchpoints)
        interaction(
            customer,
            copier.shift(touchpoint["occurred_at"], by),
            **{k2: v for k2, v in touchpoint.items() if k2 not in ("occurred_at", "text")},
        )
        if with_customer:
            answers = row["answers"]
            interaction(
                customer,
                row["completed_at"],
                channel="survey",
                stage=row["stage"],
                direction="in",
                type="survey_response",
                properties={
                    "survey": t.kinds.get(row["survey_id"]),
                    "scores": {k: answers[k] for k in SCORED if k in answers},
                },
            )
    invitation_ids = _insert(session, Invitation, invitations)
    for row, index in zip(responses, answered_at, strict=True):
        row["invitation_id"] = invitation_ids[index] if index is not None else None
    _insert(session, Response, responses, returning=False)
    for row in invitations:
        if row["status"] == "sent" and row["sent_at"] is not None:
            interaction(
                row["customer_id"],
                row["sent_at"],
                channel="email",
                stage=row["stage"],
                direction="out",
                type="survey_invited",
                properties={"survey": t.kinds.get(row["survey_id"])},
            )
    _insert(session, Interaction, interactions, returning=False)
    return {
        "customers": len(customer_rows),
        "invitations": len(invitations),
        "survey_responses": len(responses),
        "interactions": len(interactions),
    }


def _insert(
    session: Session, model: Copied, rows: list[dict[str, Any]], *, returning: bool = True
) -> list[int]:
    if not rows:
        return []
    if not returning:
        session.execute(insert(model), rows)
        return []
    stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(session.scalars(stmt, rows))


def bulk_fill(
    bind: Engine | Connection,
    *,
    responses: int,
    seed: int = 7,
    advance: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Copy answers until the database holds ``responses`` complete ones (none if it does)."""
    with unit_of_work(bind, write=False) as session:
        found = templates(session)
        have = int(
            session.scalar(
                select(func.count())
                .select_from(Response)
                .where(Response.status == ResponseStatus.complete.value)
            )
            or 0
        )
        copied = int(
            session.scalar(
                select(func.count())
                .select_from(Interaction)
                .where(Interaction.message_id.like(f"{PREFIX}%"))
            )
            or 0
        )
    made: dict[str, int] = {}
    copier = Copier(found, random.Random(seed + copied), seed)  # noqa: S311 (made-up data)
    left = max(responses - have, 0)
    first = copied
    while left > 0:
        count = min(BATCH, left)
        with unit_of_work(bind) as session:
            for what, n in copy_batch(session, copier, first, count).items():
                made[what] = made.get(what, 0) + n
        first += count
        left -= count
        if advance is not None:
            advance(count)
    return made
