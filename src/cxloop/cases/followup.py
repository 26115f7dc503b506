"""After a case is solved: ask the customer whether it really is, and listen to the answer.

The follow-up is a survey like any other (key ``case-followup``: "was this solved?" and a
CSAT), so it has translations, branding, response rates and unsubscribe links for free. It
honours opt-outs and consent but not the survey cool-down: a customer who just talked to us
expects this question, and the cool-down would otherwise swallow it after the very survey
answer that opened the case. A "no", or a CSAT of 1 or 2, reopens the case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import SYSTEM, record, set_status
from cxloop.cases.models import Case, CaseLink, CaseStatus
from cxloop.errors import NotFound
from cxloop.surveys import (
    Definition,
    FatigueRules,
    Response,
    Survey,
    SurveyCreate,
    SurveyStatus,
    create_survey,
    invite,
    publish,
    survey_by_key,
)

FOLLOWUP_KEY = "case-followup"
UNHAPPY_CSAT = 2
FOLLOWUP_DEFINITION = {
    "default_locale": "en",
    "title": {"en": "How did we do?", "fr": "Comment cela s'est-il passé ?"},
    "intro": {
        "en": "We recently worked on your request.",
        "fr": "Nous avons traité votre demande.",
    },
    "questions": [
        {
            "id": "solved",
            "type": "single",
            "required": True,
            "text": {"en": "Was your problem solved?", "fr": "Votre problème est-il résolu ?"},
            "options": [
                {"value": "yes", "label": {"en": "Yes", "fr": "Oui"}},
                {"value": "no", "label": {"en": "No", "fr": "Non"}},
            ],
        },
        {
            "id": "csat",
            "type": "csat",
            "text": {
                "en": "How satisfied are you with how we handled it?",
                "fr": "Êtes-vous satisfait de la façon dont nous l'avons traitée ?",
            },
        },
        {
            "id": "comment",
            "type": "text",
            "text": {"en": "Anything we should know?", "fr": "Autre chose à nous dire ?"},
        },
    ],
}


def ensure_followup_survey(session: Session) -> Survey:
    """The follow-up survey, created and published the first time it is needed; a company
    edits it like any survey (its key is what cases look for)."""
    try:
        return survey_by_key(session, FOLLOWUP_KEY)
    except NotFound:
        survey = create_survey(
            session,
            data=SurveyCreate(
                key=FOLLOWUP_KEY,
                name="Was it solved? (case follow-up)",
                definition=Definition.model_validate(FOLLOWUP_DEFINITION),
            ),
        )
        publish(session, survey)
        return survey


def follow_up(session: Session, case: Case, *, ttl_days: int, now: datetime) -> int | None:
    """Invite the customer of a solved case, once per solve; the invitation id, or None when
    the case is not solved (any more) or the customer may not be surveyed (said on the case)."""
    if case.status != CaseStatus.solved.value or case.followup_invitation_id is not None:
        return None
    survey = ensure_followup_survey(session)
    if survey.status != SurveyStatus.live.value:
        record(session, case, "followup_skipped", SYSTEM, reason="the follow-up survey is paused")
        return None
    cause = session.scalar(
        select(CaseLink.interaction_id)
        .where(CaseLink.case_id == case.id, CaseLink.role == "cause")
        .order_by(CaseLink.linked_at)
    )
    result = invite(
        session,
        survey=survey,
        customer_ids=[case.customer_id],
        channel="email",
        rules=FatigueRules(cooldown_days=0, ttl_days=ttl_days),
        trigger_interaction_id=cause,
        now=now,
    )
    if not result.invitations:
        reason = result.suppressed[0].reason if result.suppressed else "not invited"
        record(session, case, "followup_skipped", SYSTEM, reason=reason)
        return None
    case.followup_invitation_id = result.invitations[0].id
    record(session, case, "followup_sent", SYSTEM, invitation_id=case.followup_invitation_id)
    return case.followup_invitation_id


def unhappy(answers: dict[str, object]) -> bool:
    csat = answers.get("csat")
    return answers.get("solved") == "no" or (isinstance(csat, int) and csat <= UNHAPPY_CSAT)


def followup_answered(directory: Directory, response: Response) -> Case | None:
    """Record the customer's answer on the case; reopen it when they are not satisfied."""
    if response.invitation_id is None:
        return None
    session = directory.session
    case = session.scalar(select(Case).where(Case.followup_invitation_id == response.invitation_id))
    if case is None:
        return None
    answers = dict(response.answers or {})
    record(session, case, "followup_answered", "customer", answers=answers)
    if unhappy(answers) and case.status in (CaseStatus.solved.value, CaseStatus.closed.value):
        set_status(
            directory,
            case,
            CaseStatus.reopened.value,
            actor="customer",
            reason="the customer says it is not solved",
        )
        case.followup_invitation_id = None  # the next solve asks again
    return case
