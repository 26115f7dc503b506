"""Case jobs: open cases from new interactions once they are understood, run the SLA timers
and the survey dispatcher every minute, and follow solved cases up.

Interactions with text are evaluated when their enrichment lands (rules read sentiment,
topics, urgency); interactions without text (a bare survey score, a "Delivery Failed" event)
when they are recorded, but only while some opening rule is active, so ingest pays nothing
for cases in a company that does not use them.
"""

from __future__ import annotations

import logging
import time

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import Connection, Engine, exists, select
from sqlalchemy.exc import SQLAlchemyError

from cxloop.cases import (
    Case,
    CaseRule,
    Directory,
    check_deadlines,
    evaluate,
    follow_up,
    followup_answered,
    load_router,
)
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.store.uow import unit_of_work
from cxloop.surveys import Response, dispatch
from cxloop.types import utcnow
from cxloop.understanding import ids_for_message_ids

MAX_BATCH = 1000
logger = logging.getLogger(__name__)
RULES_RECHECK_S = 10.0


class OpenPayload(BaseModel):
    """Interactions to hold against the opening rules, by id or by message id."""

    interaction_ids: list[int] = Field(default_factory=list, max_length=MAX_BATCH)
    message_ids: list[str] = Field(default_factory=list, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def _names_some(self) -> OpenPayload:
        if not self.interaction_ids and not self.message_ids:
            raise ValueError("name interaction_ids or message_ids")
        return self


def open_from_interactions(context: JobContext, payload: OpenPayload) -> None:
    ids = list(payload.interaction_ids)
    if payload.message_ids:
        ids.extend(ids_for_message_ids(context.session, payload.message_ids))
    settings = context.settings
    evaluate(
        context.session,
        Directory(context.session, settings.default_timezone),
        ids,
        router=load_router(settings.resolved_model_dir, settings.resolved_cache_dir),
        threshold=settings.routing_threshold,
    )


class TickPayload(BaseModel):
    """Nothing to say: the deadlines in the database say it all."""


def sla_tick(context: JobContext, _payload: TickPayload) -> None:
    check_deadlines(Directory(context.session, context.settings.default_timezone), utcnow())


class CasePayload(BaseModel):
    case_id: int


def ask_if_solved(context: JobContext, payload: CasePayload) -> None:
    """Send the follow-up of a case just solved (nothing when it was reopened meanwhile)."""
    case = context.session.get(Case, payload.case_id)
    if case is not None:
        follow_up(
            context.session, case, ttl_days=context.settings.survey_link_ttl_days, now=utcnow()
        )


class ResponsePayload(BaseModel):
    response_id: int


def read_followup_answer(context: JobContext, payload: ResponsePayload) -> None:
    response = context.session.get(Response, payload.response_id)
    if response is not None:
        followup_answered(Directory(context.session, context.settings.default_timezone), response)


class DispatchPayload(BaseModel):
    """Nothing to say: the triggers and due invitations in the database say it all."""


def dispatch_surveys(context: JobContext, _payload: DispatchPayload) -> None:
    """The survey dispatcher works in its own units of work, one per batch, so it takes the
    job's bind and leaves the job's session untouched."""
    dispatch(context.session.get_bind(), context.settings)


OPEN_CASES = register(Job("cases.open", OpenPayload, open_from_interactions, retry_delay_s=30))
SLA_TIMERS = register(Job("cases.sla", TickPayload, sla_tick, every_minutes=1))
FOLLOW_UP = register(Job("cases.followup", CasePayload, ask_if_solved))
FOLLOWUP_ANSWER = register(Job("cases.followup_answer", ResponsePayload, read_followup_answer))
SURVEY_DISPATCH = register(
    Job("surveys.dispatch", DispatchPayload, dispatch_surveys, every_minutes=1, retries=0)
)


class RuleWatch:
    """Whether any opening rule is active, asked of the database at most every few seconds."""

    def __init__(self, ttl_s: float = RULES_RECHECK_S) -> None:
        self._ttl = ttl_s
        self._checked = -ttl_s
        self._active = False

    def forget(self, _event: object = None) -> None:
        """Ask again next time (the set-up just changed in this process)."""
        self._checked = -self._ttl

    def active(self, bind: Engine | Connection) -> bool:
        now = time.monotonic()
        if now - self._checked >= self._ttl:
            try:
                with unit_of_work(bind, write=False) as session:
                    self._active = bool(session.scalar(select(exists().where(CaseRule.active))))
            except SQLAlchemyError:
                # A database the queue cannot read could not run the job either.
                logger.warning("could not read the case-opening rules", exc_info=True)
                return False
            self._checked = now
        return self._active
