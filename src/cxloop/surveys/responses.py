"""A respondent's way through a survey: start, save each page, complete.

Every page is saved as it is sent, so a respondent who stops half-way leaves a partial
response. Completing twice is the same as completing once, and a completed response becomes
an interaction of channel ``survey`` on the customer's timeline, linked to the interaction
that prompted it and carrying the channel and journey stage the invitation came through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import IdentityKey, IdentityKind, key
from cxloop.errors import NotFound, ValidationFailed
from cxloop.interactions import Interaction, InteractionIn, store_interactions
from cxloop.store.uow import publish
from cxloop.surveys.answers import clean_answers, missing_required
from cxloop.surveys.definition import SCALES, Definition, Question, QuestionType
from cxloop.surveys.events import ResponseCompleted
from cxloop.surveys.models import (
    Invitation,
    Response,
    ResponseStatus,
    Survey,
    SurveyVersion,
)
from cxloop.surveys.tokens import LinkExpired
from cxloop.types import utcnow

RESPONSE_TYPE = "Survey Completed"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a response came from: channel, journey stage, place and what prompted it."""

    channel: str
    stage: str | None = None
    place: str | None = None
    customer_id: int | None = None
    trigger_interaction_id: int | None = None
    respondent: dict[str, str] | None = None


def definition_of(session: Session, response: Response) -> Definition:
    version = session.get(SurveyVersion, response.version_id)
    assert version is not None  # a foreign key
    return Definition.model_validate(version.definition)


def get_response(session: Session, response_id: int) -> Response:
    response = session.get(Response, response_id)
    if response is None:
        raise NotFound(f"response {response_id} does not exist")
    return response


def open_invitation(
    session: Session, invitation_id: int, *, now: datetime | None = None
) -> Invitation:
    """The invitation behind a link, marked opened; expired ones are refused."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("this invitation no longer exists")
    now = now or utcnow()
    if invitation.completed_at is None and invitation.expires_at <= now:
        raise LinkExpired("this invitation has expired; thank you all the same")
    if invitation.opened_at is None:
        invitation.opened_at = now
    session.flush()
    return invitation


def response_for_invitation(session: Session, invitation: Invitation) -> Response | None:
    return session.scalar(select(Response).where(Response.invitation_id == invitation.id))


def start_response(
    session: Session,
    *,
    survey: Survey,
    version: SurveyVersion,
    origin: Origin,
    locale: str,
    invitation: Invitation | None = None,
) -> Response:
    """A new partial response (or the invitation's existing one: one response per invitation)."""
    if invitation is not None:
        existing = response_for_invitation(session, invitation)
        if existing is not None:
            return existing
        invitation.started_at = invitation.started_at or utcnow()
    response = Response(
        survey_id=survey.id,
        version_id=version.id,
        invitation_id=invitation.id if invitation else None,
        customer_id=origin.customer_id,
        channel=origin.channel,
        stage=origin.stage,
        place=origin.place,
        respondent=origin.respondent or None,
        trigger_interaction_id=origin.trigger_interaction_id,
        locale=locale,
        answers={},
    )
    session.add(response)
    session.flush()
    return response


def save_answers(session: Session, response: Response, given: dict[str, Any]) -> Response:
    """Merge ``given`` into the saved answers; answers a changed branch now hides are dropped."""
    if response.status == ResponseStatus.complete:
        return response  # a second submission of the last page: already recorded
    definition = definition_of(session, response)
    earlier = {k: v for k, v in response.answers.items() if k not in given}
    merged = {**earlier, **clean_answers(definition, given, known=earlier)}
    response.answers = {
        q.id: merged[q.id]
        for q in definition.questions
        if q.id in merged and definition.visible(q, merged)
    }
    session.flush()
    return response


def next_page(definition: Definition, answers: dict[str, Any], after: int) -> int | None:
    """The first page after ``after`` with a question the answers so far make visible."""
    for index, page in enumerate(definition.pages()):
        if index > after and any(definition.visible(q, answers) for q in page):
            return index
    return None


def visible_questions(definition: Definition, page: int, answers: dict[str, Any]) -> list[Question]:
    pages = definition.pages()
    if not 0 <= page < len(pages):
        raise NotFound(f"this survey has no page {page + 1}")
    return [q for q in pages[page] if definition.visible(q, answers)]


def complete(session: Session, response: Response) -> Response:
    """Finish the response and put it on the customer's timeline (once, however often called)."""
    if response.status == ResponseStatus.complete:
        return response
    definition = definition_of(session, response)
    missing = missing_required(definition, definition.questions, response.answers)
    if missing:
        raise ValidationFailed(f"please answer '{missing[0]}'", field=missing[0])
    now = utcnow()
    response.status = ResponseStatus.complete.value
    response.completed_at = now
    if response.invitation_id is not None:
        invitation = session.get(Invitation, response.invitation_id)
        if invitation is not None:
            invitation.completed_at = now
    if response.customer_id is not None or response.respondent:
        _record_interaction(session, response, definition, now)
    session.flush()
    publish(
        session,
        ResponseCompleted(
            response_id=response.id, survey_id=response.survey_id, customer_id=response.customer_id
        ),
    )
    return response


def scores(definition: Definition, answers: dict[str, Any]) -> dict[str, int]:
    """The first NPS, CSAT and CES answer by metric name, as the metrics read them."""
    found: dict[str, int] = {}
    for question in definition.questions:
        if question.type in SCALES and question.id in answers:
            found.setdefault(question.type.value, int(answers[question.id]))
    return found


def comment(definition: Definition, answers: dict[str, Any]) -> str | None:
    texts = [
        str(answers[q.id])
        for q in definition.questions
        if q.type is QuestionType.text and answers.get(q.id)
    ]
    return "\n\n".join(texts) or None


def _record_interaction(
    session: Session, response: Response, definition: Definition, now: datetime
) -> None:
    survey = session.get(Survey, response.survey_id)
    version = session.get(SurveyVersion, response.version_id)
    assert survey is not None and version is not None
    trigger = (
        session.get(Interaction, response.trigger_interaction_id)
        if response.trigger_interaction_id
        else None
    )
    properties: dict[str, Any] = {
        "survey": survey.key,
        "survey_id": survey.id,
        "version": version.number,
        "response_id": response.id,
        "answers": response.answers,
        "scores": scores(definition, response.answers),
        "origin_channel": response.channel,
        "locale": response.locale,
    }
    if response.place:
        properties["place"] = response.place
    if response.customer_id is None:
        properties["identified_by"] = "widget"  # claimed by the site's page, not verified
    if trigger is not None:
        properties["in_reply_to"] = trigger.message_id
    result = store_interactions(
        session,
        [
            InteractionIn(
                message_id=f"survey-response-{response.id}",
                type=RESPONSE_TYPE,
                channel="survey",
                stage=response.stage,
                occurred_at=now,
                received_at=now,
                customer_id=response.customer_id,
                identities=[] if response.customer_id else respondent_identities(response),
                text=comment(definition, response.answers),
                properties=properties,
            )
        ],
    )
    if result.rejected:
        problem = result.rejected[0]
        raise ValidationFailed(problem.detail, field=problem.field)
    response.customer_id = result.customer_ids[0]


RESPONDENT_KINDS = {"user_id": IdentityKind.user_id, "anonymous_id": IdentityKind.anonymous_id}


def respondent_identities(response: Response) -> list[IdentityKey]:
    """The widget's identities for its visitor, as identity resolution takes them."""
    given = response.respondent or {}
    return [
        key(kind, str(given[name])) for name, kind in RESPONDENT_KINDS.items() if given.get(name)
    ]


def without_free_text(session: Session, response: Response) -> dict[str, Any]:
    """The answers minus what the person wrote in their own words (scores and choices stay,
    so the metrics that counted them do not change): for erasure, retention, and callers who
    may not read raw text."""
    version = session.get(SurveyVersion, response.version_id)
    free_text = {
        q["id"] for q in (version.definition["questions"] if version else []) if q["type"] == "text"
    }
    return {k: v for k, v in response.answers.items() if k not in free_text}
