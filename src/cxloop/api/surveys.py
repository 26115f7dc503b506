"""``/api/v1/surveys``: design, publish, invite, answer and measure surveys. Thin: parse,
authorize, call the surveys services, return.

Designing, inviting and recording answers need the ``surveys.manage`` permission (admins and
analysts); reading needs ``surveys.read``. Email invitations are sent after the request's
commit (the ``InvitationsQueued`` event).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Response as HttpResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from cxloop.accounts import Permission
from cxloop.api.deps import Principal, SessionDep, SettingsDep, require
from cxloop.store.crud import Page, keyset_page
from cxloop.store.uow import publish as publish_event
from cxloop.surveys import (
    FatigueRules,
    InvitationsQueued,
    Origin,
    Response,
    SurveyCreate,
    SurveyPage,
    SurveyRead,
    SurveyUpdate,
    TriggerCreate,
    TriggerRead,
    VersionRead,
    complete,
    create_survey,
    create_trigger,
    delivered_channels,
    get_survey,
    invitation_token,
    invite,
    publish,
    read_survey,
    require_live,
    response_rates,
    save_answers,
    set_trigger_active,
    start_response,
    survey_page,
    triggers_of,
    update_survey,
    versions,
    without_free_text,
)
from cxloop.surveys.qr import MEDIA_TYPES, QRFormat, check_place, qr_image, survey_link

router = APIRouter(prefix="/surveys", tags=["surveys"])
SurveysRead = Annotated[Principal, Depends(require(Permission.surveys_read))]
SurveysManage = Annotated[Principal, Depends(require(Permission.surveys_manage))]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Cursor = Annotated[str | None, Query(description="The next_cursor of the previous page.")]


class InvitationsCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_ids: list[int] = Field(min_length=1, max_length=10_000)
    channel: Literal["email", "sms", "chat", "web", "app", "link"] = "email"
    stage: str | None = Field(default=None, description="Journey stage the survey is about.")
    trigger_interaction_id: int | None = Field(
        default=None, description="The interaction that prompted the survey; its stage is used."
    )


class InvitationOut(BaseModel):
    id: int
    customer_id: int
    channel: str
    status: str
    link: str = Field(description="The personal survey link (send it yourself for sms/chat).")


class SuppressedOut(BaseModel):
    customer_id: int
    reason: str


class InvitationsOut(BaseModel):
    invitations: list[InvitationOut]
    suppressed: list[SuppressedOut]


class RatesOut(BaseModel):
    group: str | None = Field(description="Channel or stage; null for the whole survey.")
    invited: int
    sent: int
    bounced: int
    opened: int
    started: int
    completed: int
    response_rate: float | None = Field(description="Completed per delivered invitation.")


class ResponseCreate(BaseModel):
    """Answers collected elsewhere (a widget, an SMS or chat reply) for the live version."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any]
    customer_id: int | None = None
    channel: str = Field(default="web", max_length=32)
    stage: str | None = None
    place: str | None = Field(default=None, max_length=100)
    locale: str | None = Field(default=None, max_length=20)
    complete: bool = True


class ResponseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    survey_id: int
    version_id: int
    invitation_id: int | None
    customer_id: int | None
    channel: str
    stage: str | None
    place: str | None
    locale: str
    answers: dict[str, Any]
    status: str
    started_at: datetime
    completed_at: datetime | None


class ResponsePage(BaseModel):
    items: list[ResponseRead]
    next_cursor: str | None


@router.get("", response_model=SurveyPage)
def list_surveys(
    session: SessionDep, _who: SurveysRead, cursor: Cursor = None, limit: Limit = 50
) -> SurveyPage:
    """Every survey, newest first."""
    page = survey_page(session, cursor=cursor, limit=limit)
    return SurveyPage(
        items=[read_survey(session, s) for s in page.items], next_cursor=page.next_cursor
    )


@router.post("", status_code=201, response_model=SurveyRead)
def create(body: SurveyCreate, session: SessionDep, _who: SurveysManage) -> SurveyRead:
    """Create a survey as a draft; publish it to make it answerable."""
    return read_survey(session, create_survey(session, data=body))


@router.get("/{survey_id}", response_model=SurveyRead)
def read_one(survey_id: int, session: SessionDep, _who: SurveysRead) -> SurveyRead:
    return read_survey(session, get_survey(session, survey_id))


@router.patch("/{survey_id}", response_model=SurveyRead)
def update(
    survey_id: int, body: SurveyUpdate, session: SessionDep, _who: SurveysManage
) -> SurveyRead:
    """Edit the draft, the cool-down, or close/reopen; the live version is not changed."""
    survey = update_survey(session, get_survey(session, survey_id), data=body)
    return read_survey(session, survey)


@router.post("/{survey_id}/publish", status_code=201, response_model=VersionRead)
def publish_draft(survey_id: int, session: SessionDep, _who: SurveysManage) -> VersionRead:
    """Freeze the draft into a new version that new respondents answer."""
    return VersionRead.model_validate(publish(session, get_survey(session, survey_id)))


@router.get("/{survey_id}/versions", response_model=list[VersionRead])
def list_versions(survey_id: int, session: SessionDep, _who: SurveysRead) -> list[VersionRead]:
    return [
        VersionRead.model_validate(v) for v in versions(session, get_survey(session, survey_id))
    ]


@router.post("/{survey_id}/invitations", status_code=201, response_model=InvitationsOut)
def create_invitations(
    survey_id: int,
    body: InvitationsCreate,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _who: SurveysManage,
) -> InvitationsOut:
    """Invite customers; opted-out and recently surveyed ones are listed as suppressed."""
    survey = get_survey(session, survey_id)
    require_live(session, survey)
    result = invite(
        session,
        survey=survey,
        customer_ids=body.customer_ids,
        channel=body.channel,
        stage=body.stage,
        trigger_interaction_id=body.trigger_interaction_id,
        rules=FatigueRules(
            cooldown_days=settings.survey_cooldown_days, ttl_days=settings.survey_link_ttl_days
        ),
        delivered=delivered_channels(settings),
    )
    queued = tuple(i.id for i in result.invitations if i.status == "queued")
    if queued:
        publish_event(
            session,
            InvitationsQueued(
                invitation_ids=queued, bind=request.app.state.engine, settings=settings
            ),
        )
    secret = settings.resolved_secret_key()
    base = settings.public_url.rstrip("/")
    return InvitationsOut(
        invitations=[
            InvitationOut(
                id=i.id,
                customer_id=i.customer_id,
                channel=i.channel,
                status=i.status,
                link=f"{base}/s/i/{invitation_token(secret, i.id)}",
            )
            for i in result.invitations
        ],
        suppressed=[
            SuppressedOut(customer_id=s.customer_id, reason=s.reason) for s in result.suppressed
        ],
    )


@router.get("/{survey_id}/rates", response_model=list[RatesOut])
def rates(
    survey_id: int,
    session: SessionDep,
    _who: SurveysRead,
    by: Annotated[Literal["channel", "stage"] | None, Query(description="Group by.")] = None,
) -> list[RatesOut]:
    """The response funnel: invited, sent, bounced, opened, started, completed."""
    found = response_rates(session, get_survey(session, survey_id), by=by)
    return [
        RatesOut(
            group=group,
            invited=r.invited,
            sent=r.sent,
            bounced=r.bounced,
            opened=r.opened,
            started=r.started,
            completed=r.completed,
            response_rate=r.response_rate,
        )
        for group, r in sorted(found.items(), key=lambda item: str(item[0]))
    ]


@router.post("/{survey_id}/responses", status_code=201, response_model=ResponseRead)
def answer(
    survey_id: int, body: ResponseCreate, session: SessionDep, _who: SurveysManage
) -> ResponseRead:
    """Record answers to the live version; out-of-range or unknown answers are refused."""
    survey = get_survey(session, survey_id)
    version = require_live(session, survey)
    response = start_response(
        session,
        survey=survey,
        version=version,
        origin=Origin(
            channel=body.channel, stage=body.stage, place=body.place, customer_id=body.customer_id
        ),
        locale=body.locale or version.definition.get("default_locale", "en"),
    )
    save_answers(session, response, body.answers)
    if body.complete:
        complete(session, response)
    return ResponseRead.model_validate(response)


@router.get("/{survey_id}/responses", response_model=ResponsePage)
def list_responses(
    survey_id: int,
    session: SessionDep,
    who: SurveysRead,
    request: Request,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> ResponsePage:
    """Responses newest first, partial ones included (``status``); free-text answers only
    with raw_text.read."""
    survey = get_survey(session, survey_id)
    page: Page[Response] = keyset_page(
        session,
        select(Response).where(Response.survey_id == survey.id),
        keys=[Response.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda r: [r.id],
    )
    items = [ResponseRead.model_validate(r) for r in page.items]
    if not who.viewer(request).reads_text(None):
        items = [
            read.model_copy(update={"answers": without_free_text(session, response)})
            for read, response in zip(items, page.items, strict=True)
        ]
    return ResponsePage(items=items, next_cursor=page.next_cursor)


@router.post("/{survey_id}/triggers", status_code=201, response_model=TriggerRead)
def add_trigger(
    survey_id: int, body: TriggerCreate, session: SessionDep, _who: SurveysManage
) -> TriggerRead:
    """Invite after matching interactions (from now on), with delay, sampling and quiet hours."""
    trigger = create_trigger(session, survey=get_survey(session, survey_id), data=body)
    return TriggerRead.model_validate(trigger)


@router.get("/{survey_id}/triggers", response_model=list[TriggerRead])
def list_triggers(survey_id: int, session: SessionDep, _who: SurveysRead) -> list[TriggerRead]:
    survey = get_survey(session, survey_id)
    return [TriggerRead.model_validate(t) for t in triggers_of(session, survey)]


@router.get(
    "/{survey_id}/qr",
    response_class=HttpResponse,
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
)
def qr_code(
    survey_id: int,
    session: SessionDep,
    settings: SettingsDep,
    _who: SurveysRead,
    place: Annotated[
        str | None, Query(description="The store or spot it is put up in, e.g. store-lisbon-1.")
    ] = None,
    format: Annotated[QRFormat, Query(description="svg (print) or png.")] = "svg",
    scale: Annotated[int, Query(ge=1, le=40, description="Pixels per module.")] = 8,
) -> HttpResponse:
    """A QR code of the survey's public link, tagged with ``place`` (channel ``qr``)."""
    survey = get_survey(session, survey_id)
    link = survey_link(settings.public_url, survey.key, place=check_place(place))
    filename = f"{survey.key}{'-' + place if place else ''}.{format}".replace(" ", "_")
    return HttpResponse(
        qr_image(link, kind=format, scale=scale),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'inline; filename="{filename}"', "X-Survey-Link": link},
    )


class TriggerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool = Field(description="false pauses the rule; true resumes it from now on.")


@router.patch("/{survey_id}/triggers/{trigger_id}", response_model=TriggerRead)
def update_trigger(
    survey_id: int, trigger_id: int, body: TriggerUpdate, session: SessionDep, _who: SurveysManage
) -> TriggerRead:
    """Pause or resume a trigger rule."""
    survey = get_survey(session, survey_id)
    trigger = set_trigger_active(session, survey=survey, trigger_id=trigger_id, active=body.active)
    return TriggerRead.model_validate(trigger)
