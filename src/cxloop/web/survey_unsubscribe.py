"""One-click unsubscribe from surveys (RFC 8058): the link in every invitation email and the
``List-Unsubscribe-Post`` header that mail clients turn into an "Unsubscribe" button."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.surveys import opt_out, read_unsubscribe_token
from cxloop.web.survey_render import SurveyRoute, message_page

router = APIRouter(route_class=SurveyRoute, include_in_schema=False)


@router.get("/s/u/{token}")
def unsubscribe_form(request: Request, token: str, settings: SettingsDep) -> Response:
    """A confirmation button, so a mail scanner following links unsubscribes nobody."""
    read_unsubscribe_token(settings.resolved_secret_key(), token)
    return message_page(
        request, "surveys/unsubscribe.html", title="Unsubscribe from surveys", token=token
    )


@router.post("/s/u/{token}")
def unsubscribe(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """One click (RFC 8058): mail clients post here without cookies, so no CSRF token; the
    signed link is the proof."""
    customer_id = read_unsubscribe_token(settings.resolved_secret_key(), token)
    opt_out(session, customer_id=customer_id, via="email")
    return message_page(request, "surveys/unsubscribed.html", title="You are unsubscribed")
