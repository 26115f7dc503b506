"""Drafts, publishing and versions: editing a live survey never changes what was answered."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.errors import Conflict
from cxloop.surveys import (
    Definition,
    Origin,
    SurveyUpdate,
    complete,
    definition_of,
    live_version,
    publish,
    require_live,
    save_answers,
    start_response,
    update_survey,
    versions,
)
from cxloop.surveys.service import SurveyNotOpen
from tests.surveys.factories import make_survey, nps_definition


def test_a_draft_is_not_answerable_until_published(session: Session) -> None:
    survey = make_survey(session, live=False)
    with pytest.raises(SurveyNotOpen, match="is not open"):
        require_live(session, survey)
    version = publish(session, survey)
    assert (version.number, survey.status) == (1, "live")
    assert require_live(session, survey).id == version.id


def test_editing_a_live_survey_keeps_earlier_answers_on_their_version(session: Session) -> None:
    survey = make_survey(session)
    v1 = require_live(session, survey)
    response = start_response(
        session, survey=survey, version=v1, origin=Origin(channel="web"), locale="en"
    )
    save_answers(session, response, {"nps": 3, "why": "slow"})

    # The draft now rates 1-5 where it used to ask NPS 0-10, and drops the follow-up.
    changed = nps_definition(questions=[{"id": "nps", "type": "csat", "text": {"en": "Happy?"}}])
    update_survey(session, survey, data=SurveyUpdate(definition=Definition.model_validate(changed)))
    assert live_version(session, survey).id == v1.id  # not published yet: v1 still answered
    v2 = publish(session, survey)

    assert [v.number for v in versions(session, survey)] == [1, 2]
    assert v1.definition["questions"][0]["type"] == "nps"
    save_answers(session, response, {"easy": 6})  # still checked against v1's questions
    complete(session, response)
    assert response.version_id == v1.id
    assert response.answers == {"nps": 3, "why": "slow", "easy": 6}
    assert definition_of(session, response).questions[0].type == "nps"
    assert v2.definition["questions"][0]["type"] == "csat"


def test_publishing_an_unchanged_draft_is_refused(session: Session) -> None:
    survey = make_survey(session)
    with pytest.raises(Conflict, match="already has this draft"):
        publish(session, survey)


def test_closing_and_reopening(session: Session) -> None:
    survey = make_survey(session)
    update_survey(session, survey, data=SurveyUpdate(status="closed"))
    with pytest.raises(SurveyNotOpen):
        require_live(session, survey)
    update_survey(session, survey, data=SurveyUpdate(status="live"))
    assert require_live(session, survey).number == 1
    draft_only = make_survey(session, live=False)
    with pytest.raises(Conflict, match="publish"):
        update_survey(session, draft_only, data=SurveyUpdate(status="live"))
