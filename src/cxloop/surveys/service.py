"""Creating, editing, publishing and closing surveys.

Editing only ever touches the draft. Publishing freezes the draft into a new numbered version
that respondents then answer; earlier versions stay as they were, with their answers.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, NotFound
from cxloop.store.crud import Page, keyset_page
from cxloop.surveys.definition import Definition
from cxloop.surveys.models import Survey, SurveyStatus, SurveyVersion
from cxloop.surveys.schemas import SurveyCreate, SurveyRead, SurveyUpdate


def get_survey(session: Session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise NotFound(f"survey {survey_id} does not exist")
    return survey


def survey_by_key(session: Session, key: str) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.key == key))
    if survey is None:
        raise NotFound(f"there is no survey '{key}'")
    return survey


def create_survey(session: Session, *, data: SurveyCreate) -> Survey:
    if session.scalar(select(Survey.id).where(Survey.key == data.key)) is not None:
        raise Conflict(f"a survey with key '{data.key}' already exists", field="key")
    survey = Survey(
        key=data.key,
        name=data.name,
        draft=data.definition.model_dump(mode="json"),
        cooldown_days=data.cooldown_days,
    )
    session.add(survey)
    session.flush()
    return survey


def update_survey(session: Session, survey: Survey, *, data: SurveyUpdate) -> Survey:
    fields = data.model_fields_set
    if "name" in fields and data.name is not None:
        survey.name = data.name
    if "definition" in fields and data.definition is not None:
        survey.draft = data.definition.model_dump(mode="json")
    if "cooldown_days" in fields:
        survey.cooldown_days = data.cooldown_days
    if data.status is not None:
        if data.status == SurveyStatus.live and live_version(session, survey) is None:
            raise Conflict("publish the survey before opening it", field="status")
        survey.status = data.status
    session.flush()
    return survey


def publish(session: Session, survey: Survey) -> SurveyVersion:
    """Freeze the draft into the next version and make it the one respondents answer."""
    definition = Definition.model_validate(survey.draft)
    latest = live_version(session, survey)
    if latest is not None and latest.definition == definition.model_dump(mode="json"):
        raise Conflict(f"version {latest.number} already has this draft; edit it first")
    number = (latest.number if latest else 0) + 1
    version = SurveyVersion(
        survey_id=survey.id, number=number, definition=definition.model_dump(mode="json")
    )
    session.add(version)
    survey.status = SurveyStatus.live.value
    session.flush()
    return version


def live_version(session: Session, survey: Survey) -> SurveyVersion | None:
    """The newest published version (what a new respondent answers)."""
    return session.scalar(
        select(SurveyVersion)
        .where(SurveyVersion.survey_id == survey.id)
        .order_by(SurveyVersion.number.desc())
        .limit(1)
    )


class SurveyNotOpen(Conflict):
    title = "Survey not open"


def require_live(session: Session, survey: Survey) -> SurveyVersion:
    """The version to answer; a draft or closed survey takes no answers or invitations."""
    version = live_version(session, survey)
    if survey.status != SurveyStatus.live or version is None:
        raise SurveyNotOpen(f"survey '{survey.key}' is not open for answers", field="survey")
    return version


def versions(session: Session, survey: Survey) -> list[SurveyVersion]:
    return list(
        session.scalars(
            select(SurveyVersion)
            .where(SurveyVersion.survey_id == survey.id)
            .order_by(SurveyVersion.number)
        )
    )


def read_survey(session: Session, survey: Survey) -> SurveyRead:
    number = session.scalar(
        select(func.max(SurveyVersion.number)).where(SurveyVersion.survey_id == survey.id)
    )
    return SurveyRead(
        id=survey.id,
        key=survey.key,
        name=survey.name,
        status=survey.status,
        draft=survey.draft,
        cooldown_days=survey.cooldown_days,
        live_version=number,
        public_path=f"/s/{survey.key}",
        created_at=survey.created_at,
        updated_at=survey.updated_at,
    )


def survey_page(session: Session, *, cursor: str | None, limit: int) -> Page[Survey]:
    """Surveys newest first."""
    return keyset_page(
        session,
        select(Survey),
        keys=[Survey.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda s: [s.id],
    )
