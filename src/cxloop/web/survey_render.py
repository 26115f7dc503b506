"""How a survey page is drawn for a respondent: the language, the questions of one page, and
the few message pages (thanks, already answered, unsubscribe). Shared by the survey links and
the unsubscribe pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from cxloop.errors import CxloopError
from cxloop.surveys import (
    Definition,
    LinkExpired,
    LinkInvalid,
    Survey,
    SurveyNotOpen,
    accepted_languages,
    choose_locale,
    translate,
    visible_questions,
)
from cxloop.web.routing import PageRoute
from cxloop.web.survey_form import question_views
from cxloop.web.survey_phrases import PHRASES, phrases
from cxloop.web.templating import CONTENT_SECURITY_POLICY, render

# Survey pages may show the company's logo from its own https site.
SURVEY_CSP = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", "img-src 'self' data: https:")


def survey_locale(request: Request, definition: Definition, *preferred: str | None) -> str:
    wanted = [request.query_params.get("lang"), *preferred]
    wanted += accepted_languages(request.headers.get("accept-language"))
    return choose_locale(definition.locales(), wanted, definition.default_locale)


def survey_page(
    request: Request,
    *,
    survey: Survey,
    definition: Definition,
    page: int,
    answers: dict[str, Any],
    locale: str,
    action: str,
    hidden: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    questions = visible_questions(definition, page, answers)

    def tr(texts: dict[str, str]) -> str:
        return translate(texts, locale, definition.default_locale)

    response = render(
        request,
        "surveys/respond.html",
        {
            "survey_key": survey.key,
            "lang": locale,
            "title": tr(definition.title),
            "intro": tr(definition.intro) if page == 0 and definition.intro else "",
            "logo_url": definition.branding.logo_url,
            "questions": question_views(definition, questions, locale, answers, errors),
            "errors": errors or {},
            "action": action,
            "hidden": hidden or {},
            "words": phrases(locale),
            "step": page + 1,
            "steps": len(definition.pages()),
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = SURVEY_CSP
    return response


def message_page(
    request: Request,
    template: str,
    *,
    title: str,
    lang: str = "en",
    status_code: int = 200,
    **extra: Any,
) -> Response:
    return render(
        request, template, {"title": title, "lang": lang, **extra}, status_code=status_code
    )


LINK_PROBLEMS: dict[type[CxloopError], str] = {
    LinkInvalid: "invalid",
    LinkExpired: "expired",
    SurveyNotOpen: "closed",
}
"""Refusals a respondent meets, by the phrases that explain them."""


class SurveyRoute(PageRoute):
    """The respondents' pages: a damaged, expired or closed link gets a page in the reader's
    language (the link may not say which survey it was, so the browser's language decides),
    without the team's navigation."""

    def problem_page(self, request: Request, exc: CxloopError) -> Response:
        kind = next((k for t, k in LINK_PROBLEMS.items() if isinstance(exc, t)), None)
        if kind is None:
            return super().problem_page(request, exc)
        wanted = [request.query_params.get("lang")]
        wanted += accepted_languages(request.headers.get("accept-language"))
        lang = choose_locale(PHRASES, wanted, "en")
        words = phrases(lang)
        return message_page(
            request,
            "surveys/problem.html",
            title=words[f"{kind}_title"],
            lang=lang,
            status_code=exc.status,
            detail=words[kind],
        )
