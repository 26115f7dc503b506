"""Survey pages for the team: the list with response rates, one survey's funnel and answers,
the draft editor (the definition as JSON, checked on save) and a preview of the draft.

Looking needs ``surveys.read``; creating, editing, publishing and closing ``surveys.manage``
(admins and analysts). Every form is a plain POST with the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User
from cxloop.api.deps import SessionDep
from cxloop.errors import CxloopError, NotFound
from cxloop.interactions import Channel, JourneyStage
from cxloop.surveys import (
    Definition,
    Survey,
    SurveyCreate,
    SurveyUpdate,
    TriggerCreate,
    choose_locale,
    create_survey,
    create_trigger,
    get_survey,
    publish,
    read_survey,
    response_rates,
    set_trigger_active,
    translate,
    triggers_of,
    update_survey,
)
from cxloop.surveys import (
    Response as SurveyResponse,
)
from cxloop.surveys.invitations import CHANNELS as INVITE_CHANNELS
from cxloop.web.form_errors import field_problem
from cxloop.web.nav import add_nav_item
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.survey_editor import OP_LABELS
from cxloop.web.survey_form import question_views
from cxloop.web.survey_phrases import phrases
from cxloop.web.survey_render import SURVEY_CSP
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
add_nav_item("surveys", "Surveys", "/surveys", order=20, permission=Permission.surveys_read.value)

RECENT_RESPONSES = 20
_NPS = {
    "id": "nps",
    "type": "nps",
    "required": True,
    "text": {"en": "How likely are you to recommend us to a friend or colleague?"},
}
STARTERS: dict[str, tuple[str, dict[str, Any]]] = {
    "nps": (
        "One NPS question (0 to 10), to build on",
        {"title": {"en": "How did we do?"}, "thanks": {"en": "Thank you!"}, "questions": [_NPS]},
    ),
    "nps_followups": (
        "NPS with a question for detractors",
        {
            "title": {"en": "How did we do?"},
            "thanks": {"en": "Thank you!"},
            "questions": [
                _NPS,
                {
                    "id": "why",
                    "type": "text",
                    "text": {"en": "What should we do better?"},
                    "show_if": {"question": "nps", "op": "lte", "value": 6},
                },
            ],
        },
    ),
    "csat": (
        "One CSAT question (1 to 5)",
        {
            "title": {"en": "How did we do?"},
            "thanks": {"en": "Thank you!"},
            "questions": [
                {
                    "id": "csat",
                    "type": "csat",
                    "required": True,
                    "text": {"en": "How satisfied are you with the help you got?"},
                }
            ],
        },
    ),
    "ces": (
        "One CES question (1 to 7)",
        {
            "title": {"en": "How did we do?"},
            "thanks": {"en": "Thank you!"},
            "questions": [
                {
                    "id": "ces",
                    "type": "ces",
                    "required": True,
                    "text": {"en": "The company made it easy to handle my issue."},
                }
            ],
        },
    ),
}
"""What a new draft starts from; the editor then changes it question by question."""


def _pretty(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def _messages(exc: ValidationError, what: str) -> list[str]:
    """Pydantic's errors in words a designer can act on: where, then what is wrong."""
    return [f"{'.'.join(str(p) for p in e['loc']) or what}: {e['msg']}" for e in exc.errors()]


def _definition_errors(text: str) -> tuple[Definition | None, list[str]]:
    """The definition in ``text``, or what is wrong with it."""
    try:
        return Definition.model_validate_json(text), []
    except ValidationError as exc:
        return None, _messages(exc, "definition")


@router.get("/surveys")
def survey_list(request: Request, session: SessionDep, user: PageUser) -> Response:
    require_permission(session, user, Permission.surveys_read)
    surveys = list(session.scalars(select(Survey).order_by(Survey.id.desc())))
    answered = dict(
        session.execute(
            select(SurveyResponse.survey_id, func.count())
            .where(SurveyResponse.status == "complete")
            .group_by(SurveyResponse.survey_id)
        ).all()
    )
    rows = [
        {
            "survey": read_survey(session, s),
            "responses": answered.get(s.id, 0),
            "rate": response_rates(session, s).get(None),
        }
        for s in surveys
    ]
    return render(
        request,
        "surveys/list.html",
        {"rows": rows, "can_design": user_can(session, user, Permission.surveys_manage)},
        user=user,
        active="surveys",
    )


NEW_SURVEY_HELP = {
    "key": "use 2 to 64 lower-case letters, digits and dashes, e.g. delivery-nps",
    "name": "give the survey a name your team recognises, e.g. Delivery NPS",
}


def _new_page(
    request: Request,
    user: User,
    form: dict[str, str],
    errors: list[str],
    *,
    beside: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The new-survey form; ``beside`` holds a message for the name or key field, ``errors``
    those about a pasted definition."""
    starters = {name: label for name, (label, _definition) in STARTERS.items()}
    return render(
        request,
        "surveys/new.html",
        {"form": form, "errors": errors, "beside": beside or {}, "starters": starters},
        user=user,
        active="surveys",
        status_code=status_code,
    )


@router.get("/surveys/new")
def new_survey(request: Request, session: SessionDep, user: PageUser) -> Response:
    require_permission(session, user, Permission.surveys_manage)
    return _new_page(request, user, {"key": "", "name": "", "start": "nps", "definition": ""}, [])


@router.post("/surveys/new")
def create(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    key: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    start: Annotated[str, Form(max_length=64)] = "nps",
    definition: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    """A new draft from a starter, or from a pasted definition (JSON), then the editor."""
    require_permission(session, user, Permission.surveys_manage)
    if definition.strip():
        parsed, errors = _definition_errors(definition)
    elif start in STARTERS:
        parsed, errors = Definition.model_validate(STARTERS[start][1]), []
    else:
        parsed, errors = None, [f"start: choose one of {', '.join(STARTERS)}"]
    beside: dict[str, str] = {}
    if parsed is not None:
        try:
            data = SurveyCreate(key=key.strip(), name=name.strip(), definition=parsed)
            survey = create_survey(session, data=data)
            return RedirectResponse(f"/surveys/{survey.id}/edit", status_code=303)
        except (ValidationError, CxloopError) as exc:
            field, message = field_problem(exc)
            # A key already taken says so; a key or name of the wrong shape says what fits.
            known = isinstance(exc, CxloopError)
            beside = {field: message if known else NEW_SURVEY_HELP.get(field, message)}
    form = {"key": key, "name": name, "start": start, "definition": definition}
    return _new_page(request, user, form, errors, beside=beside, status_code=422)


def _detail(
    request: Request,
    session: Session,
    user: User,
    survey: Survey,
    *,
    trigger_form: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> Response:
    require_permission(session, user, Permission.surveys_read)
    recent = list(
        session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyResponse.id.desc())
            .limit(RECENT_RESPONSES)
        )
    )
    context = {
        "survey": read_survey(session, survey),
        "overall": response_rates(session, survey).get(None),
        "by_channel": sorted(response_rates(session, survey, by="channel").items(), key=_by_name),
        "by_stage": sorted(response_rates(session, survey, by="stage").items(), key=_by_name),
        "recent": recent,
        "triggers": triggers_of(session, survey),
        "can_design": user_can(session, user, Permission.surveys_manage),
        "channels": list(session.scalars(select(Channel).order_by(Channel.name))),
        "stages": list(session.scalars(select(JourneyStage).order_by(JourneyStage.position))),
        "invite_channels": sorted(INVITE_CHANNELS),
        "trigger_form": trigger_form or {},
        "errors": errors or [],
    }
    return render(
        request,
        "surveys/detail.html",
        context,
        user=user,
        active="surveys",
        status_code=422 if errors else 200,
    )


@router.get("/surveys/{survey_id}")
def survey_detail(
    request: Request, survey_id: int, session: SessionDep, user: PageUser
) -> Response:
    return _detail(request, session, user, get_survey(session, survey_id))


def _by_name(item: tuple[str | None, object]) -> str:
    return item[0] or ""


@router.get("/surveys/{survey_id}/draft/json")
def json_form(request: Request, survey_id: int, session: SessionDep, user: PageUser) -> Response:
    """The advanced view: the whole draft as JSON (the API's format), for copy and paste."""
    require_permission(session, user, Permission.surveys_manage)
    survey = get_survey(session, survey_id)
    return _json_editor(request, user, survey, survey.name, _pretty(survey.draft), [])


def _json_editor(
    request: Request,
    user: User,
    survey: Survey,
    name: str,
    text: str,
    errors: list[str],
    *,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "surveys/edit_json.html",
        {"survey": survey, "name": name, "definition": text, "errors": errors},
        user=user,
        active="surveys",
        status_code=status_code,
    )


@router.post("/surveys/{survey_id}/draft/json")
def save_json(
    request: Request,
    survey_id: int,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    definition: Annotated[str, Form(max_length=200_000)],
) -> Response:
    """Save the draft; respondents keep answering the live version until it is published."""
    require_permission(session, user, Permission.surveys_manage)
    survey = get_survey(session, survey_id)
    parsed, errors = _definition_errors(definition)
    if parsed is None:
        return _json_editor(request, user, survey, name, definition, errors, status_code=422)
    update_survey(session, survey, data=SurveyUpdate(name=name, definition=parsed))
    return RedirectResponse(f"/surveys/{survey.id}/preview", status_code=303)


@router.get("/surveys/{survey_id}/preview")
def preview(
    request: Request, survey_id: int, session: SessionDep, user: PageUser, lang: str | None = None
) -> Response:
    """The draft as respondents will see it, every page, with the conditions that show it."""
    require_permission(session, user, Permission.surveys_read)
    survey = get_survey(session, survey_id)
    definition = Definition.model_validate(survey.draft)
    locale = choose_locale(definition.locales(), [lang], definition.default_locale)
    pages = [
        {
            "questions": question_views(definition, page, locale, {}),
            "conditions": {
                q.id: f"shown when {q.show_if.question} {OP_LABELS[q.show_if.op]} {q.show_if.value}"
                for q in page
                if q.show_if is not None
            },
        }
        for page in definition.pages()
    ]
    context = {
        "survey": survey,
        "definition": definition,
        "locale": locale,
        "locales": definition.locales(),
        "title": translate(definition.title, locale, definition.default_locale),
        "intro": translate(definition.intro, locale, definition.default_locale),
        "pages": pages,
        "words": phrases(locale),
        "can_design": user_can(session, user, Permission.surveys_manage),
    }
    response = render(request, "surveys/preview.html", context, user=user, active="surveys")
    response.headers["Content-Security-Policy"] = SURVEY_CSP  # the logo, as respondents see it
    return response


TRIGGER_FIELDS = (
    "name",
    "type",
    "channel",
    "stage",
    "invite_channel",
    "delay_minutes",
    "sampling_percent",
    "quiet_start_hour",
    "quiet_end_hour",
)


def _trigger_data(form: dict[str, str]) -> dict[str, object]:
    """The form's fields as :class:`TriggerCreate` takes them (blank means "any" or "none")."""
    data: dict[str, object] = {k: v.strip() for k, v in form.items() if v.strip()}
    if "sampling_percent" in data:
        percent = str(data.pop("sampling_percent"))
        data["sampling"] = (
            float(percent) / 100 if percent.replace(".", "", 1).isdigit() else percent
        )
    return data


@router.post("/surveys/{survey_id}/triggers")
async def add_trigger(
    request: Request, survey_id: int, session: SessionDep, user: PageUser, _csrf: CsrfChecked
) -> Response:
    """Add a trigger rule from the survey page's form."""
    require_permission(session, user, Permission.surveys_manage)
    survey = get_survey(session, survey_id)
    posted = await request.form()
    form = {k: str(posted.get(k) or "") for k in TRIGGER_FIELDS}
    try:
        data = TriggerCreate.model_validate(_trigger_data(form))
    except ValidationError as exc:
        errors = _messages(exc, "rule")
        return _detail(request, session, user, survey, trigger_form=form, errors=errors)
    create_trigger(session, survey=survey, data=data)
    return RedirectResponse(f"/surveys/{survey.id}#triggers-heading", status_code=303)


@router.post("/surveys/{survey_id}/triggers/{trigger_id}/{state}")
def pause_or_resume(
    survey_id: int,
    trigger_id: int,
    state: str,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
) -> Response:
    require_permission(session, user, Permission.surveys_manage)
    if state not in ("pause", "resume"):
        raise NotFound(f"there is no trigger action '{state}'")
    survey = get_survey(session, survey_id)
    set_trigger_active(session, survey=survey, trigger_id=trigger_id, active=state == "resume")
    return RedirectResponse(f"/surveys/{survey.id}#triggers-heading", status_code=303)


def _action(session: Session, survey: Survey, action: str) -> None:
    if action == "publish":
        publish(session, survey)
    elif action in ("close", "reopen"):
        status = "closed" if action == "close" else "live"
        update_survey(session, survey, data=SurveyUpdate(status=status))
    else:
        raise NotFound(f"there is no survey action '{action}'")


@router.post("/surveys/{survey_id}/{action}")
def survey_action(
    survey_id: int, action: str, session: SessionDep, user: PageUser, _csrf: CsrfChecked
) -> Response:
    """Publish the draft, close or reopen the survey."""
    require_permission(session, user, Permission.surveys_manage)
    _action(session, get_survey(session, survey_id), action)
    return RedirectResponse(f"/surveys/{survey_id}", status_code=303)
