"""The draft editor: plain forms, one per piece of the survey (settings and branding, each
question, a new question, the texts of one language), so it works without JavaScript.

Each form saves the draft at once and comes back to the editor; a refused change comes back
with its message beside the field and what was typed kept, the draft untouched. Respondents
answer the published version until the draft is published. Editing needs
``surveys.manage``, like every change to a survey; every form carries the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User
from cxloop.api.deps import SessionDep
from cxloop.errors import CxloopError, ValidationFailed
from cxloop.surveys import (
    Definition,
    Question,
    QuestionEdit,
    QuestionType,
    SettingsEdit,
    Survey,
    SurveyUpdate,
    change_settings,
    get_survey,
    move_question,
    put_question,
    read_survey,
    remove_question,
    text_keys,
    translate,
    translate_texts,
    update_survey,
)
from cxloop.web.form_errors import FORM, field_problem
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_TEXT = 2000
Short = Annotated[str, Form(max_length=MAX_TEXT)]
TYPE_LABELS = {
    QuestionType.nps: "NPS: likelihood to recommend, 0 to 10",
    QuestionType.csat: "CSAT: satisfaction, 1 to 5",
    QuestionType.ces: "CES: the company made it easy, 1 to 7",
    QuestionType.rating: "Rating: 1 to a maximum you choose",
    QuestionType.single: "Single choice",
    QuestionType.multiple: "Multiple choice",
    QuestionType.text: "Free text",
    QuestionType.cx_index: "CX index block: effectiveness, ease, emotion (1 to 5 each)",
}
OP_LABELS = {
    "lte": "is at most",
    "gte": "is at least",
    "lt": "is less than",
    "gt": "is more than",
    "eq": "is",
    "ne": "is not",
    "in": "is one of (separate with commas)",
    "answered": "is answered",
}
CONDITION_FIELDS = {"show_if": "show_if_op"}
"""Where a refused condition's message goes on the form."""


def _editor_url(survey: Survey, anchor: str = "") -> str:
    return f"/surveys/{survey.id}/edit{'#' + anchor if anchor else ''}"


def _question_values(question: Question, locale: str) -> dict[str, str]:
    """A question as its form shows it (the default language's texts)."""
    condition = question.show_if
    value = condition.value if condition else None
    return {
        "id": question.id,
        "type": question.type.value,
        "text": translate(question.text, locale, locale),
        "required": "on" if question.required else "",
        "scale_max": str(question.scale_max),
        "options": "\n".join(
            f"{o.value} = {translate(o.label, locale, locale)}" for o in question.options
        ),
        "show_if_question": condition.question if condition else "",
        "show_if_op": condition.op if condition else "lte",
        "show_if_value": ", ".join(map(str, value)) if isinstance(value, list) else _text(value),
    }


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _settings_values(survey: Survey, definition: Definition) -> dict[str, str]:
    locale = definition.default_locale
    return {
        "name": survey.name,
        "title": translate(definition.title, locale, locale),
        "intro": definition.intro.get(locale, ""),
        "thanks": definition.thanks.get(locale, ""),
        "default_locale": locale,
        "colour": definition.branding.colour,
        "logo_url": definition.branding.logo_url or "",
    }


def editor_page(
    request: Request,
    session: Session,
    user: User,
    survey: Survey,
    *,
    form: str | None = None,
    values: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> Response:
    """The editor; after a refusal, ``form`` shows what was typed and ``error`` beside it."""
    definition = Definition.model_validate(survey.draft)
    locale = definition.default_locale
    ids = [q.id for q in definition.questions]
    forms = {f"q-{q.id}": _question_values(q, locale) for q in definition.questions}
    forms["settings"] = _settings_values(survey, definition)
    forms["new"] = {"type": "text", "show_if_op": "lte", "scale_max": "5"}
    if form is not None and values is not None:
        forms[form] = values
    context = {
        "survey": read_survey(session, survey),
        "definition": definition,
        "questions": [
            {"question": q, "form": f"q-{q.id}", "earlier": ids[:n]}
            for n, q in enumerate(definition.questions)
        ],
        "all_ids": ids,
        "forms": forms,
        "errors": {form: {error[0]: error[1]}} if form and error else {},
        "types": TYPE_LABELS,
        "ops": OP_LABELS,
        "locales": [loc for loc in definition.locales() if loc != locale],
    }
    return render(
        request,
        "surveys/editor.html",
        context,
        user=user,
        active="surveys",
        status_code=422 if error else 200,
    )


def _editable(session: Session, user: User, survey_id: int) -> Survey:
    require_permission(session, user, Permission.surveys_manage)
    return get_survey(session, survey_id)


def _save(session: Session, survey: Survey, definition: Definition, **changes: Any) -> None:
    update_survey(session, survey, data=SurveyUpdate(definition=definition, **changes))


def _refusal(exc: CxloopError | ValidationError) -> tuple[str, str]:
    field, message = field_problem(exc)
    return CONDITION_FIELDS.get(field, field), message


@router.get("/surveys/{survey_id}/edit")
def edit(request: Request, survey_id: int, session: SessionDep, user: PageUser) -> Response:
    return editor_page(request, session, user, _editable(session, user, survey_id))


@router.post("/surveys/{survey_id}/draft/settings")
def save_settings(
    request: Request,
    survey_id: int,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    title: Short = "",
    intro: Short = "",
    thanks: Short = "",
    default_locale: Short = "",
    colour: Short = "",
    logo_url: Short = "",
) -> Response:
    """The survey's name, title, intro and thanks (default language) and its branding."""
    survey = _editable(session, user, survey_id)
    values = {
        "name": name,
        "title": title,
        "intro": intro,
        "thanks": thanks,
        "default_locale": default_locale,
        "colour": colour,
        "logo_url": logo_url,
    }
    try:
        if not name.strip():
            raise ValidationFailed("give the survey a name your team recognises", field="name")
        edit = SettingsEdit(
            title=title,
            intro=intro,
            thanks=thanks,
            default_locale=default_locale.strip(),
            colour=colour.strip(),
            logo_url=logo_url.strip() or None,
        )
        definition = change_settings(Definition.model_validate(survey.draft), edit)
    except (CxloopError, ValidationError) as exc:
        return editor_page(
            request, session, user, survey, form="settings", values=values, error=_refusal(exc)
        )
    _save(session, survey, definition, name=name.strip())
    return RedirectResponse(_editor_url(survey, "settings"), status_code=303)


def _number(text: str) -> int | float | str:
    """A number as typed, else the text (a condition may compare with a choice's value)."""
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _condition(question: str, op: str, value: str) -> dict[str, Any] | None:
    """The branch condition as typed: numbers compared as numbers, a list for "one of"."""
    if not question:
        return None
    typed: Any = None
    if op == "in":
        typed = [_number(v) for v in value.split(",") if v.strip()]
    elif op != "answered":
        typed = _number(value)
    return {"question": question, "op": op, "value": typed}


def _options(text: str) -> list[tuple[str, str]]:
    """One option a line: ``value = Label``, or just the label (its value then derived)."""
    options = []
    for line in text.splitlines():
        value, sep, label = line.partition("=")
        if not line.strip():
            continue
        if not sep:
            label = value
            value = "_".join(label.lower().split())
        options.append((value.strip(), label.strip()))
    return options


def _question_edit(values: dict[str, str]) -> QuestionEdit:
    return QuestionEdit.model_validate(
        {
            "id": values["id"].strip(),
            "type": values["type"],
            "text": values["text"].strip(),
            "required": bool(values["required"]),
            "scale_max": values["scale_max"].strip() or 5,
            "options": _options(values["options"]),
            "show_if": _condition(
                values["show_if_question"], values["show_if_op"], values["show_if_value"]
            ),
        }
    )


def _question_form(
    id: Short = "",
    type: Short = "",
    text: Short = "",
    required: Short = "",
    scale_max: Short = "5",
    options: Annotated[str, Form(max_length=20_000)] = "",
    show_if_question: Short = "",
    show_if_op: Short = "lte",
    show_if_value: Short = "",
) -> dict[str, str]:
    """The question form's fields, shared by adding a question and saving one in place."""
    return {
        "id": id,
        "type": type,
        "text": text,
        "required": required,
        "scale_max": scale_max,
        "options": options,
        "show_if_question": show_if_question,
        "show_if_op": show_if_op,
        "show_if_value": show_if_value,
    }


QuestionValues = Annotated[dict[str, str], Depends(_question_form)]


def _put(
    request: Request,
    session: Session,
    user: User,
    survey: Survey,
    values: dict[str, str],
    *,
    replacing: str | None,
) -> Response:
    form = f"q-{replacing}" if replacing else "new"
    try:
        edit = _question_edit(values)
        definition = put_question(
            Definition.model_validate(survey.draft), edit, replacing=replacing
        )
    except (ValidationFailed, ValidationError) as exc:
        return editor_page(
            request, session, user, survey, form=form, values=values, error=_refusal(exc)
        )
    _save(session, survey, definition)
    return RedirectResponse(_editor_url(survey, f"q-{edit.id}"), status_code=303)


@router.post("/surveys/{survey_id}/draft/questions")
def add_question(
    request: Request,
    survey_id: int,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    values: QuestionValues,
) -> Response:
    """A new question at the end of the draft."""
    survey = _editable(session, user, survey_id)
    return _put(request, session, user, survey, values, replacing=None)


@router.post("/surveys/{survey_id}/draft/questions/{question_id}")
def save_question(
    request: Request,
    survey_id: int,
    question_id: str,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    values: QuestionValues,
) -> Response:
    """A question changed in place (its other languages kept)."""
    survey = _editable(session, user, survey_id)
    return _put(request, session, user, survey, values, replacing=question_id)


@router.post("/surveys/{survey_id}/draft/questions/{question_id}/move")
def move(
    request: Request,
    survey_id: int,
    question_id: str,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    direction: Short = "",
) -> Response:
    """One place up or down."""
    survey = _editable(session, user, survey_id)
    try:
        if direction not in ("up", "down"):
            raise ValidationFailed("move a question 'up' or 'down'", field="move")
        definition = move_question(
            Definition.model_validate(survey.draft),
            question_id,
            "up" if direction == "up" else "down",
        )
    except ValidationFailed as exc:  # an unknown question is the 404 page
        return editor_page(
            request, session, user, survey, form=f"q-{question_id}", error=("move", exc.detail)
        )
    _save(session, survey, definition)
    return RedirectResponse(_editor_url(survey, f"q-{question_id}"), status_code=303)


@router.post("/surveys/{survey_id}/draft/questions/{question_id}/remove")
def remove(
    request: Request,
    survey_id: int,
    question_id: str,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
) -> Response:
    """The question out of the draft (published versions keep it with their answers)."""
    survey = _editable(session, user, survey_id)
    try:
        definition = remove_question(Definition.model_validate(survey.draft), question_id)
    except ValidationFailed as exc:  # an unknown question is the 404 page
        return editor_page(
            request, session, user, survey, form=f"q-{question_id}", error=("remove", exc.detail)
        )
    _save(session, survey, definition)
    return RedirectResponse(_editor_url(survey, "questions-heading"), status_code=303)


def _translations_page(
    request: Request,
    user: User,
    survey: Survey,
    locale: str,
    *,
    typed: dict[str, str] | None = None,
    error: tuple[str, str] | None = None,
) -> Response:
    definition = Definition.model_validate(survey.draft)
    default = definition.default_locale
    rows = [
        {
            "key": key,
            "label": _label(key),
            "default": translate(texts, default, default),
            "value": (typed or {}).get(key, texts.get(locale, "")),
            "error": error[1] if error and error[0] == key else None,
        }
        for key, texts in text_keys(definition)
    ]
    context = {
        "survey": survey,
        "locale": locale,
        "default_locale": default,
        "rows": rows,
        "errors": dict([error]) if error else {},
    }
    return render(
        request,
        "surveys/translations.html",
        context,
        user=user,
        active="surveys",
        status_code=422 if error else 200,
    )


def _label(key: str) -> str:
    """A text's key in words: ``q.why`` is question 'why', ``q.review.yes`` its option."""
    parts = key.split(".")
    if parts[0] != "q":
        return key.capitalize()
    if len(parts) == 2:
        return f"Question '{parts[1]}'"
    return f"Question '{parts[1]}', option '{'.'.join(parts[2:])}'"


@router.get("/surveys/{survey_id}/draft/translations")
def translations(
    request: Request,
    survey_id: int,
    session: SessionDep,
    user: PageUser,
    locale: str = "",
) -> Response:
    """Every text of the draft beside a field for its translation into ``locale``."""
    survey = _editable(session, user, survey_id)
    locale = locale.strip()
    definition = Definition.model_validate(survey.draft)
    try:
        translate_texts(definition, locale, {})  # the same checks as saving: a usable tag
    except ValidationFailed as exc:
        error = ("locale", exc.detail)
        return editor_page(request, session, user, survey, form="translate", error=error)
    return _translations_page(request, user, survey, locale)


@router.post("/surveys/{survey_id}/draft/translations")
async def save_translations(
    request: Request, survey_id: int, session: SessionDep, user: PageUser, _csrf: CsrfChecked
) -> Response:
    """The texts in one language; a blank field falls back to the default language."""
    survey = _editable(session, user, survey_id)
    posted = await request.form()
    locale = str(posted.get("locale") or "").strip()
    definition = Definition.model_validate(survey.draft)
    typed = {key: str(posted.get(f"t:{key}") or "") for key, _texts in text_keys(definition)}
    try:
        for key, text in typed.items():
            if len(text) > MAX_TEXT:
                raise ValidationFailed(
                    f"{_label(key)}: keep it under {MAX_TEXT:,} characters", field=key
                )
        translated = translate_texts(definition, locale, typed)
    except ValidationFailed as exc:
        field, message = field_problem(exc)
        return _translations_page(
            request, user, survey, locale, typed=typed, error=(field or FORM, message)
        )
    _save(session, survey, translated)
    return RedirectResponse(f"/surveys/{survey.id}/preview?lang={locale}", status_code=303)
