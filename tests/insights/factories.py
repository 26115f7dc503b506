"""Survey responses and invitations on known dates, through the surveys services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cxloop.surveys import (
    FatigueRules,
    Origin,
    Survey,
    complete,
    invite,
    require_live,
    save_answers,
    start_response,
)
from tests.customers.factories import make_customer
from tests.surveys.factories import make_survey

_seq = itertools.count(1)
MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday: weeks start here


def last_wednesday_noon() -> datetime:
    """Noon on last week's Wednesday: answers given then and an hour later share one weekly
    bucket whatever day the test runs (eight days ago and an hour later straddled Sunday
    midnight about one run in 168)."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday() + 5) + timedelta(hours=12)


def scores_definition() -> dict[str, Any]:
    """Every scale metrics read, all optional, so a response may answer any subset."""
    return {
        "title": {"en": "Your experience"},
        "default_locale": "en",
        "questions": [
            {"id": "nps", "type": "nps", "text": {"en": "Recommend us?"}},
            {"id": "sat", "type": "csat", "text": {"en": "Satisfied?"}},
            {"id": "easy", "type": "ces", "text": {"en": "Easy?"}},
            {"id": "cx", "type": "cx_index", "text": {"en": "Effective, easy, pleasant?"}},
        ],
    }


def make_scores_survey(session: Session) -> Survey:
    return make_survey(session, definition=scores_definition(), key=f"scores-{next(_seq)}")


@dataclass
class Answer:
    at: datetime
    channel: str = "web"
    stage: str | None = None
    nps: int | None = None
    csat: int | None = None
    ces: int | None = None
    cx: tuple[int, int, int] | None = None
    customer_id: int | None = None

    def answers(self) -> dict[str, Any]:
        given: dict[str, Any] = {"nps": self.nps, "sat": self.csat, "easy": self.ces}
        if self.cx is not None:
            given["cx"] = dict(zip(("effectiveness", "ease", "emotion"), self.cx, strict=True))
        return {k: v for k, v in given.items() if v is not None}


def answer(session: Session, survey: Survey, given: Answer) -> None:
    """A completed response (anonymous unless ``given.customer_id``), moved to ``given.at``
    as if answered then."""
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel=given.channel, stage=given.stage, customer_id=given.customer_id),
        locale="en",
    )
    save_answers(session, response, given.answers())
    complete(session, response)
    response.completed_at = given.at
    session.flush()


def answer_all(session: Session, survey: Survey, answers: list[Answer]) -> None:
    for given in answers:
        answer(session, survey, given)


def nps_answers(
    scores: list[int], *, channel: str, at: datetime, stage: str | None = None
) -> list[Answer]:
    return [
        Answer(at=at + timedelta(minutes=i), channel=channel, stage=stage, nps=s)
        for i, s in enumerate(scores)
    ]


def invitations(
    session: Session, survey: Survey, *, channel: str, sent: int, responded: int, at: datetime
) -> None:
    """``sent`` delivered invitations on ``channel``, the first ``responded`` answered."""
    customers = [make_customer(session, email=f"inv{next(_seq)}@example.com") for _ in range(sent)]
    result = invite(
        session,
        survey=survey,
        customer_ids=[c.id for c in customers],
        channel=channel,
        rules=FatigueRules(cooldown_days=0, ttl_days=30),
    )
    for i, invitation in enumerate(result.invitations):
        invitation.status = "sent"
        invitation.sent_at = at
        if i < responded:
            invitation.completed_at = at + timedelta(hours=1)
    session.flush()
