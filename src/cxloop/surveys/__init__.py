"""Listening: surveys, questions, invitations, responses and fatigue rules."""

from cxloop.surveys.answers import clean_answers, missing_required
from cxloop.surveys.bounces import record_bounces
from cxloop.surveys.definition import Branding, Condition, Definition, Question, QuestionType
from cxloop.surveys.dispatch import DispatchReport, dispatch
from cxloop.surveys.events import InvitationsQueued, ResponseCompleted
from cxloop.surveys.fatigue import FatigueRules
from cxloop.surveys.invitations import (
    InviteResult,
    Rates,
    due_invitations,
    invite,
    opt_out,
    opted_out,
    response_rates,
)
from cxloop.surveys.locales import accepted_languages, choose_locale, translate
from cxloop.surveys.models import (
    Invitation,
    InvitationStatus,
    OptOut,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
    SurveyVersion,
    Trigger,
)
from cxloop.surveys.responses import (
    Origin,
    complete,
    definition_of,
    get_response,
    next_page,
    open_invitation,
    response_for_invitation,
    save_answers,
    start_response,
    visible_questions,
    without_free_text,
)
from cxloop.surveys.schemas import SurveyCreate, SurveyPage, SurveyRead, SurveyUpdate, VersionRead
from cxloop.surveys.sending import SendReport, deliver_invitations, delivered_channels
from cxloop.surveys.service import (
    create_survey,
    get_survey,
    live_version,
    publish,
    read_survey,
    require_live,
    survey_by_key,
    survey_page,
    update_survey,
    versions,
)
from cxloop.surveys.tokens import (
    LinkExpired,
    LinkInvalid,
    invitation_token,
    read_invitation_token,
    read_response_token,
    read_unsubscribe_token,
    response_token,
    unsubscribe_token,
)
from cxloop.surveys.triggers import (
    TriggerCreate,
    TriggerRead,
    create_trigger,
    set_trigger_active,
    triggers_of,
)

__all__ = [
    "Branding",
    "Condition",
    "Definition",
    "DispatchReport",
    "FatigueRules",
    "Invitation",
    "InvitationStatus",
    "InvitationsQueued",
    "InviteResult",
    "LinkExpired",
    "LinkInvalid",
    "OptOut",
    "Origin",
    "Question",
    "QuestionType",
    "Rates",
    "Response",
    "ResponseCompleted",
    "ResponseStatus",
    "SendReport",
    "Survey",
    "SurveyCreate",
    "SurveyPage",
    "SurveyRead",
    "SurveyStatus",
    "SurveyUpdate",
    "SurveyVersion",
    "Trigger",
    "TriggerCreate",
    "TriggerRead",
    "VersionRead",
    "accepted_languages",
    "choose_locale",
    "clean_answers",
    "complete",
    "create_survey",
    "create_trigger",
    "definition_of",
    "deliver_invitations",
    "delivered_channels",
    "dispatch",
    "due_invitations",
    "get_response",
    "get_survey",
    "invitation_token",
    "invite",
    "live_version",
    "missing_required",
    "next_page",
    "open_invitation",
    "opt_out",
    "opted_out",
    "publish",
    "read_invitation_token",
    "read_response_token",
    "read_survey",
    "read_unsubscribe_token",
    "record_bounces",
    "require_live",
    "response_for_invitation",
    "response_rates",
    "response_token",
    "save_answers",
    "set_trigger_active",
    "start_response",
    "survey_by_key",
    "survey_page",
    "translate",
    "triggers_of",
    "unsubscribe_token",
    "update_survey",
    "versions",
    "visible_questions",
    "without_free_text",
]

from cxloop.hooks import register_builtin as _register
from cxloop.surveys import plugin as _plugin

_register(_plugin, "cxloop.surveys")
