"""Surveys built through the surveys services, as a user of the API would build them."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cxloop.interactions import InteractionIn, store_interactions
from cxloop.surveys import Definition, Survey, SurveyCreate, create_survey, publish
from cxloop.types import utcnow

_seq = itertools.count(1)


def nps_definition(**overrides: Any) -> dict[str, Any]:
    """An NPS survey that branches: detractors say what went wrong, promoters may review us."""
    definition: dict[str, Any] = {
        "title": {"en": "How did we do?", "fr": "Comment avons-nous fait ?"},
        "intro": {"en": "Two minutes, no more."},
        "thanks": {"en": "Thank you!", "fr": "Merci !"},
        "default_locale": "en",
        "questions": [
            {
                "id": "nps",
                "type": "nps",
                "required": True,
                "text": {
                    "en": "How likely are you to recommend Brightwave to a friend?",
                    "fr": "Recommanderiez-vous Brightwave à un ami ?",
                },
            },
            {
                "id": "why",
                "type": "text",
                "text": {"en": "What went wrong?", "fr": "Qu'est-ce qui n'a pas marché ?"},
                "show_if": {"question": "nps", "op": "lte", "value": 6},
            },
            {
                "id": "review",
                "type": "single",
                "text": {"en": "Would you review us online?"},
                "options": [
                    {"value": "yes", "label": {"en": "Yes"}},
                    {"value": "no", "label": {"en": "No"}},
                ],
                "show_if": {"question": "nps", "op": "gte", "value": 9},
            },
            {"id": "easy", "type": "ces", "text": {"en": "The company made it easy."}},
        ],
    }
    definition.update(overrides)
    return definition


def make_survey(
    session: Session,
    *,
    definition: dict[str, Any] | None = None,
    key: str | None = None,
    live: bool = True,
    cooldown_days: int | None = None,
) -> Survey:
    survey = create_survey(
        session,
        data=SurveyCreate(
            key=key or f"survey-{next(_seq)}",
            name="Post-purchase NPS",
            definition=Definition.model_validate(definition or nps_definition()),
            cooldown_days=cooldown_days,
        ),
    )
    if live:
        publish(session, survey)
    return survey


def arrive(
    session: Session,
    customer_id: int,
    *,
    type: str = "Parcel Delivered",
    stage: str = "delivery",
    at: datetime | None = None,
) -> str:
    """An interaction arriving through the one ingest path, as it would from any source."""
    now = utcnow()
    message_id = f"evt-{uuid.uuid4()}"
    result = store_interactions(
        session,
        [
            InteractionIn(
                message_id=message_id,
                type=type,
                channel="field",
                stage=stage,
                occurred_at=at or now,
                received_at=now,
                customer_id=customer_id,
                properties={"carrier": "own"},
            )
        ],
    )
    assert result.stored == 1
    return message_id
