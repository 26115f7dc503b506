"""The pages respondents see: an anonymous or QR link, a personal invitation, each next page
and the thanks. No sign-in: the signed link is the credential.

Each page is a plain form (no JavaScript needed); answers are saved as each page is sent, and
the server applies the branch logic to choose the next page. A damaged, expired or reused
link gets a page that says so, never someone else's survey.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.customers import Customer
from cxloop.errors import NotFound, ValidationFailed
from cxloop.settings import Settings
from cxloop.surveys import (
    Definition,
    Invitation,
    Origin,
    ResponseStatus,
    Survey,
    SurveyVersion,
    choose_locale,
    complete,
    definition_of,
    get_response,
    get_survey,
    missing_required,
    next_page,
    open_invitation,
    read_invitation_token,
    read_response_token,
    require_live,
    response_for_invitation,
    response_token,
    save_answers,
    start_response,
    survey_by_key,
    translate,
    visible_questions,
)
from cxloop.surveys import Response as SurveyResponse
from cxloop.surveys.emails import customer_locale
from cxloop.surveys.qr import check_place
from cxloop.web.security import CsrfChecked
from cxloop.web.survey_form import read_form
from cxloop.web.survey_phrases import phrases
from cxloop.web.survey_render import SurveyRoute, message_page, survey_locale, survey_page

router = APIRouter(route_class=SurveyRoute, include_in_schema=False)

MAX_ID = 200
LINK_CHANNELS = frozenset({"link", "qr", "web", "app", "sms", "chat", "email"})


def _continue_url(settings: Settings, response: SurveyResponse, page: int | None) -> str:
    token = response_token(settings.resolved_secret_key(), response.id)
    return f"/s/r/{token}/" + ("done" if page is None else str(page + 1))


def _advance(
    session: Session, settings: Settings, response: SurveyResponse, after: int
) -> RedirectResponse:
    """Go to the next page the answers make visible, or complete the response."""
    following = next_page(definition_of(session, response), response.answers, after)
    if following is None:
        complete(session, response)
    return RedirectResponse(_continue_url(settings, response, following), status_code=303)


async def _submit(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    survey: Survey,
    response: SurveyResponse,
    page: int,
    action: str,
    hidden: dict[str, str] | None = None,
) -> Response:
    definition = definition_of(session, response)
    questions = visible_questions(definition, page, response.answers)
    given = read_form(await request.form(), questions)
    errors: dict[str, str] = {}
    try:
        save_answers(session, response, given)
    except ValidationFailed as exc:
        errors[str(exc.extra.get("field", "")).split(".")[0]] = exc.detail
    for missing in missing_required(definition, questions, {**response.answers, **given}):
        errors.setdefault(missing, phrases(response.locale)["answer_this"])
    if errors:
        return survey_page(
            request,
            survey=survey,
            definition=definition,
            page=page,
            answers={**response.answers, **given},
            locale=response.locale,
            action=action,
            hidden=hidden,
            errors=errors,
            status_code=422,
        )
    return _advance(session, settings, response, page)


# --- anonymous links and QR codes ------------------------------------------------------


def _link_origin(
    channel: str | None, place: str | None, uid: str | None = None, aid: str | None = None
) -> Origin:
    """Where an anonymous link was opened; a site's widget adds its visitor's ids."""
    respondent = {
        name: value[:MAX_ID]
        for name, value in (("user_id", uid), ("anonymous_id", aid))
        if value and value.strip()
    }
    return Origin(
        channel=channel if channel in LINK_CHANNELS else "link",
        place=check_place(place),
        respondent=respondent or None,
    )


def _hidden(origin: Origin, locale: str) -> dict[str, str]:
    """What the first page's form carries to the POST that creates the response."""
    given = origin.respondent or {}
    return {
        "channel": origin.channel,
        "place": origin.place or "",
        "lang": locale,
        "uid": given.get("user_id", ""),
        "aid": given.get("anonymous_id", ""),
    }


@router.get("/s/{key}")
def anonymous_survey(
    request: Request,
    key: str,
    session: SessionDep,
    channel: str | None = None,
    place: str | None = None,
    uid: str | None = None,
    aid: str | None = None,
) -> Response:
    """A survey anyone with the link can answer (a QR code adds ``channel=qr&place=...``, the
    site widget ``channel=web`` and its visitor's ``uid``/``aid``)."""
    survey = survey_by_key(session, key)
    version = require_live(session, survey)
    definition = Definition.model_validate(version.definition)
    origin = _link_origin(channel, place, uid, aid)
    locale = survey_locale(request, definition)
    hidden = _hidden(origin, locale)
    return survey_page(
        request,
        survey=survey,
        definition=definition,
        page=0,
        answers={},
        locale=locale,
        action=f"/s/{survey.key}",
        hidden=hidden,
    )


@router.post("/s/{key}")
async def anonymous_answer(
    request: Request, key: str, session: SessionDep, settings: SettingsDep, _csrf: CsrfChecked
) -> Response:
    survey = survey_by_key(session, key)
    version = require_live(session, survey)
    definition = Definition.model_validate(version.definition)
    form = await request.form()
    origin = _link_origin(*(_text(form.get(name)) for name in ("channel", "place", "uid", "aid")))
    locale = choose_locale(
        definition.locales(), [_text(form.get("lang"))], definition.default_locale
    )
    response = start_response(session, survey=survey, version=version, origin=origin, locale=locale)
    hidden = _hidden(origin, locale)
    return await _submit(
        request,
        session,
        settings,
        survey=survey,
        response=response,
        page=0,
        action=f"/s/{survey.key}",
        hidden=hidden,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- personal invitations --------------------------------------------------------------


def _invitation(session: Session, settings: Settings, token: str) -> tuple[Invitation, Survey]:
    invitation = open_invitation(
        session, read_invitation_token(settings.resolved_secret_key(), token)
    )
    return invitation, get_survey(session, invitation.survey_id)


def _answered(request: Request, session: Session, response: SurveyResponse) -> Response:
    """The page for a link used again, in the language the survey was answered in."""
    definition = definition_of(session, response)
    return message_page(
        request,
        "surveys/answered.html",
        title=translate(definition.title, response.locale, definition.default_locale),
        lang=response.locale,
        status_code=409,
        detail=phrases(response.locale)["answered"],
    )


def _start_invited(
    session: Session, invitation: Invitation, survey: Survey, locale: str
) -> SurveyResponse:
    return start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(
            channel=invitation.channel,
            stage=invitation.stage,
            customer_id=invitation.customer_id,
            trigger_interaction_id=invitation.trigger_interaction_id,
        ),
        locale=locale,
        invitation=invitation,
    )


@router.get("/s/i/{token}")
def invited_survey(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """A personal invitation; a score in the query (a click in the email) is saved at once."""
    invitation, survey = _invitation(session, settings, token)
    existing = response_for_invitation(session, invitation)
    if existing is not None and existing.status == ResponseStatus.complete:
        return _answered(request, session, existing)
    version = (
        session.get(SurveyVersion, existing.version_id)
        if existing
        else require_live(session, survey)
    )
    assert version is not None
    definition = Definition.model_validate(version.definition)
    customer = session.get(Customer, invitation.customer_id)
    locale = (
        existing.locale
        if existing
        else survey_locale(
            request, definition, customer_locale(customer.traits) if customer else None
        )
    )
    first_page = {q.id for q in definition.pages()[0]}
    clicked = {k: v for k, v in request.query_params.items() if k in first_page}
    if clicked:
        response = existing or _start_invited(session, invitation, survey, locale)
        save_answers(session, response, clicked)
        return _advance(session, settings, response, 0)
    if existing is not None:
        following = next_page(definition, existing.answers, -1)
        return RedirectResponse(_continue_url(settings, existing, following), status_code=303)
    return survey_page(
        request,
        survey=survey,
        definition=definition,
        page=0,
        answers={},
        locale=locale,
        action=f"/s/i/{token}",
    )


@router.post("/s/i/{token}")
async def invited_answer(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, _csrf: CsrfChecked
) -> Response:
    invitation, survey = _invitation(session, settings, token)
    existing = response_for_invitation(session, invitation)
    if existing is not None and existing.status == ResponseStatus.complete:
        return _answered(request, session, existing)
    customer = session.get(Customer, invitation.customer_id)
    version = require_live(session, survey)
    definition = Definition.model_validate(version.definition)
    locale = survey_locale(
        request, definition, customer_locale(customer.traits) if customer else None
    )
    response = existing or _start_invited(session, invitation, survey, locale)
    return await _submit(
        request, session, settings, survey=survey, response=response, page=0, action=f"/s/i/{token}"
    )


# --- continuing a started response ---------------------------------------------------


def _started(session: Session, settings: Settings, token: str) -> tuple[SurveyResponse, Survey]:
    response_id = read_response_token(
        settings.resolved_secret_key(), token, max_age_s=settings.survey_link_ttl_days * 86_400
    )
    response = get_response(session, response_id)
    return response, get_survey(session, response.survey_id)


def _page_index(page: str) -> int:
    if not page.isdigit() or int(page) < 1:
        raise NotFound("there is no such page in this survey")
    return int(page) - 1


@router.get("/s/r/{token}/done")
def thanks(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> Response:
    response, _survey = _started(session, settings, token)
    definition = definition_of(session, response)
    if response.status != ResponseStatus.complete:
        following = next_page(definition, response.answers, -1)
        return RedirectResponse(_continue_url(settings, response, following), status_code=303)
    text = translate(definition.thanks, response.locale, definition.default_locale)
    return message_page(
        request,
        "surveys/done.html",
        title=translate(definition.title, response.locale, definition.default_locale),
        lang=response.locale,
        detail=text or phrases(response.locale)["thanks"],
    )


@router.get("/s/r/{token}/{page}")
def next_survey_page(
    request: Request, token: str, page: str, session: SessionDep, settings: SettingsDep
) -> Response:
    response, survey = _started(session, settings, token)
    if response.status == ResponseStatus.complete:
        return RedirectResponse(_continue_url(settings, response, None), status_code=303)
    definition = definition_of(session, response)
    return survey_page(
        request,
        survey=survey,
        definition=definition,
        page=_page_index(page),
        answers=response.answers,
        locale=response.locale,
        action=f"/s/r/{token}/{page}",
    )


@router.post("/s/r/{token}/{page}")
async def next_survey_answer(
    request: Request,
    token: str,
    page: str,
    session: SessionDep,
    settings: SettingsDep,
    _csrf: CsrfChecked,
) -> Response:
    response, survey = _started(session, settings, token)
    if response.status == ResponseStatus.complete:  # a double submission: already recorded
        return RedirectResponse(_continue_url(settings, response, None), status_code=303)
    return await _submit(
        request,
        session,
        settings,
        survey=survey,
        response=response,
        page=_page_index(page),
        action=f"/s/r/{token}/{page}",
    )
