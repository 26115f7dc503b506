"""A survey's brand colour as CSS: the pages allow no inline styles, so the colour is served as
a small stylesheet, with the text colour that stays readable on it."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from cxloop.accounts import Permission
from cxloop.api.deps import SessionDep
from cxloop.surveys import Definition, get_survey, live_version, survey_by_key
from cxloop.web.permissions import require_permission
from cxloop.web.routing import PageRoute
from cxloop.web.security import PageUser

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_DARK = "#000000"


def _text_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return _DARK if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


@router.get("/s/{key}/brand.css")
def brand_css(key: str, session: SessionDep) -> Response:
    """The survey's colour as CSS variables (pages allow no inline styles)."""
    survey = survey_by_key(session, key)
    version = live_version(session, survey)
    return _stylesheet(version.definition if version else survey.draft, "max-age=60")


@router.get("/surveys/{survey_id}/preview/brand.css")
def draft_brand_css(survey_id: int, session: SessionDep, user: PageUser) -> Response:
    """The draft's colour, for the team's preview (the public one shows the published)."""
    require_permission(session, user, Permission.surveys_read)
    return _stylesheet(get_survey(session, survey_id).draft, "no-store")


def _stylesheet(definition: object, cache: str) -> Response:
    colour = Definition.model_validate(definition).branding.colour
    css = f":root {{ --brand: {colour}; --brand-text: {_text_on(colour)}; }}\n"
    return PlainTextResponse(css, media_type="text/css", headers={"Cache-Control": cache})
