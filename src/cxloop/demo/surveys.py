"""Brightwave's surveys: what it asks after onboarding, support and cancellation, and the
history of invitations and answers behind the survey moments of the generated journeys.

The journeys already put each invitation email and each answer on the timelines; this step
creates the surveys those moments belong to, and their invitation and response records, so
response rates per survey, channel and stage, and the answers themselves, are there to see.
A store-visit survey with the CX index gets anonymous answers from the QR code on receipts,
tagged with the store's region.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.demo import texts
from cxloop.demo.context import DemoContext
from cxloop.interactions import Interaction
from cxloop.store.uow import unit_of_work
from cxloop.surveys import (
    Definition,
    Invitation,
    Response,
    Survey,
    SurveyCreate,
    TriggerCreate,
    create_survey,
    create_trigger,
    publish,
    require_live,
)

PUBLIC_SURVEY_KEY = "support-csat"
"""The survey ``cxloop demo --json`` links to in ``urls.survey``."""
LINK_TTL = timedelta(days=30)
BATCH = 2_000

_CSAT = {
    "en": "How satisfied are you with {what}?",
    "es": "¿Qué tan satisfecho está con {what}?",
    "de": "Wie zufrieden sind Sie mit {what}?",
    "fr": "Êtes-vous satisfait de {what} ?",
}
_WHAT = {
    "onboarding": {
        "en": "getting started",
        "es": "la puesta en marcha",
        "de": "dem Start",
        "fr": "votre démarrage",
    },
    "csat": {
        "en": "our support",
        "es": "nuestro soporte",
        "de": "unserem Support",
        "fr": "notre assistance",
    },
    "exit": {"en": "Brightwave", "es": "Brightwave", "de": "Brightwave", "fr": "Brightwave"},
}
_NPS = {
    "en": "How likely are you to recommend Brightwave to a friend or colleague?",
    "es": "¿Qué probabilidad hay de que recomiende Brightwave a un amigo?",
    "de": "Wie wahrscheinlich ist es, dass Sie Brightwave weiterempfehlen?",
    "fr": "Quelle est la probabilité que vous recommandiez Brightwave à un proche ?",
}
_WHY_LOW = {
    "en": "What should we have done better?",
    "es": "¿Qué deberíamos haber hecho mejor?",
    "de": "Was hätten wir besser machen sollen?",
    "fr": "Qu'aurions-nous dû mieux faire ?",
}
_WHY_HIGH = {
    "en": "What did you like most?",
    "es": "¿Qué es lo que más le gustó?",
    "de": "Was hat Ihnen am besten gefallen?",
    "fr": "Qu'avez-vous le plus apprécié ?",
}
_THANKS = {"en": "Thank you!", "es": "¡Gracias!", "de": "Vielen Dank!", "fr": "Merci !"}

SURVEYS = {  # journey survey name: (key, name, title)
    "onboarding": ("onboarding-check-in", "Onboarding check-in", "Welcome to Brightwave"),
    "csat": (PUBLIC_SURVEY_KEY, "Support CSAT", "How did our support do?"),
    "exit": ("exit-survey", "Cancellation survey", "Sorry to see you go"),
}


def _definition(kind: str, title: str) -> dict[str, Any]:
    return {
        "title": {"en": title},
        "intro": {"en": "Two quick questions; it takes under a minute."},
        "thanks": _THANKS,
        "default_locale": "en",
        "branding": {"colour": "#0f766e"},
        "questions": [
            {
                "id": "csat",
                "type": "csat",
                "required": True,
                "text": {lang: t.format(what=_WHAT[kind][lang]) for lang, t in _CSAT.items()},
            },
            {"id": "nps", "type": "nps", "text": _NPS},
            {
                "id": "comment",
                "type": "text",
                "text": _WHY_LOW,
                "show_if": {"question": "csat", "op": "lte", "value": 3},
            },
            {
                "id": "liked",
                "type": "text",
                "text": _WHY_HIGH,
                "show_if": {"question": "csat", "op": "gte", "value": 4},
            },
        ],
    }


STORE_VISIT: dict[str, Any] = {
    "title": {"en": "Your visit to our store"},
    "thanks": _THANKS,
    "branding": {"colour": "#0f766e"},
    "questions": [
        {
            "id": "cx",
            "type": "cx_index",
            "required": True,
            "text": {"en": "About your visit today"},
        },
        {
            "id": "reason",
            "type": "single",
            "text": {"en": "What brought you in?"},
            "options": [
                {"value": "new-plan", "label": {"en": "A new plan or phone"}},
                {"value": "repair", "label": {"en": "A repair"}},
                {"value": "billing", "label": {"en": "A bill question"}},
                {"value": "other", "label": {"en": "Something else"}},
            ],
        },
        {"id": "comment", "type": "text", "text": {"en": "Anything else you want to tell us?"}},
    ],
}


def _ensure(session: Session, key: str, name: str, definition: dict[str, Any]) -> Survey:
    survey = session.scalar(select(Survey).where(Survey.key == key))
    if survey is None:
        survey = create_survey(
            session,
            data=SurveyCreate(key=key, name=name, definition=Definition.model_validate(definition)),
        )
        publish(session, survey)
    return survey


def surveys_step(ctx: DemoContext) -> None:
    """The surveys, a trigger per moment, and the invitation and response history."""
    with unit_of_work(ctx.bind) as session:
        surveys = {
            kind: _ensure(session, key, name, _definition(kind, title))
            for kind, (key, name, title) in SURVEYS.items()
        }
        store = _ensure(session, "store-visit", "Store visit (QR)", STORE_VISIT)
        store_ids = (store.id, require_live(session, store).id)
        create_trigger(
            session,
            survey=surveys["csat"],
            data=TriggerCreate(
                name="After a support contact",
                stage="support",
                channel="phone",
                delay_minutes=60,
                sampling=0.5,
                quiet_start_hour=21,
                quiet_end_hour=8,
            ),
        )
        versions = {kind: require_live(session, s).id for kind, s in surveys.items()}
        ids = {kind: s.id for kind, s in surveys.items()}
    moments = _survey_moments(ctx)
    made = 0
    for start in range(0, len(moments), BATCH):
        with unit_of_work(ctx.bind) as session:
            for moment in moments[start : start + BATCH]:
                made += _record(session, ctx, moment, ids, versions)
    made += _store_visit_answers(ctx, *store_ids)
    ctx.counts["surveys"] = len(SURVEYS) + 1
    ctx.counts["survey_responses"] = made


def _survey_moments(ctx: DemoContext) -> list[tuple[Interaction, Interaction | None]]:
    """Each invitation email of the journeys with the answer that followed it, if any."""
    with unit_of_work(ctx.bind, write=False) as session:
        rows = list(
            session.scalars(
                select(Interaction)
                .where(Interaction.type.in_(("survey_invited", "survey_response")))
                .order_by(Interaction.customer_id, Interaction.occurred_at, Interaction.id)
            )
        )
    pending: dict[tuple[int, str], Interaction] = {}
    pairs: dict[int, tuple[Interaction, Interaction | None]] = {}
    answered: defaultdict[int, bool] = defaultdict(bool)
    for row in rows:
        key = (row.customer_id, str(row.properties.get("survey")))
        if row.type == "survey_invited":
            pending[key] = row
            pairs[row.id] = (row, None)
        elif key in pending and not answered[pending[key].id]:
            invited = pending[key]
            pairs[invited.id] = (invited, row)
            answered[invited.id] = True
    return list(pairs.values())


def _record(
    session: Session,
    ctx: DemoContext,
    moment: tuple[Interaction, Interaction | None],
    survey_ids: dict[str, int],
    versions: dict[str, int],
) -> int:
    invited, answer = moment
    kind = str(invited.properties.get("survey"))
    if kind not in survey_ids:
        return 0
    rng = ctx.rng
    sent: datetime = invited.occurred_at
    bounced = answer is None and rng.random() < 0.03
    opened = answer.occurred_at - timedelta(minutes=rng.randint(1, 30)) if answer else None
    if answer is None and not bounced and rng.random() < 0.25:
        opened = sent + timedelta(hours=rng.uniform(0.5, 72))  # opened, never answered
    invitation = Invitation(
        survey_id=survey_ids[kind],
        customer_id=invited.customer_id,
        channel="email",
        stage=invited.stage,
        status="bounced" if bounced else "sent",
        attempts=1,
        created_at=sent,
        sent_at=sent,
        bounced_at=sent if bounced else None,
        expires_at=sent + LINK_TTL,
        opened_at=opened,
        started_at=opened if answer else None,
        completed_at=answer.occurred_at if answer else None,
    )
    session.add(invitation)
    if answer is None:
        return 0
    session.flush()
    scores = answer.properties.get("scores") or {}
    answers: dict[str, Any] = {"csat": int(scores.get("csat", 3))}
    if "nps" in scores:
        answers["nps"] = int(scores["nps"])
    if answer.text:
        answers["comment" if answers["csat"] <= 3 else "liked"] = answer.text
    session.add(
        Response(
            survey_id=survey_ids[kind],
            version_id=versions[kind],
            invitation_id=invitation.id,
            customer_id=answer.customer_id,
            channel="email",
            stage=answer.stage,
            locale="en",
            answers=answers,
            status="complete",
            started_at=opened or answer.occurred_at,
            updated_at=answer.occurred_at,
            completed_at=answer.occurred_at,
        )
    )
    return 1


CX_WEIGHTS = (0.05, 0.1, 0.2, 0.35, 0.3)
"""How store visits are rated, 1 to 5: mostly well, with a tail of poor visits."""
REASONS = ("new-plan", "repair", "billing", "other")
QR_SHARE = 0.35
"""Share of store visits whose customer scans the receipt's QR code and answers."""


def _store_visit_answers(ctx: DemoContext, survey_id: int, version_id: int) -> int:
    """Anonymous QR answers after store visits, tagged with the store's region."""
    rng = ctx.rng
    with unit_of_work(ctx.bind, write=False) as session:
        visits = session.execute(
            select(Interaction.occurred_at, Interaction.stage, Customer.traits)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(Interaction.type == "store_visit")
            .order_by(Interaction.id)
        ).all()
    made = 0
    with unit_of_work(ctx.bind) as session:
        for occurred_at, stage, traits in visits:
            if rng.random() >= QR_SHARE:
                continue
            scores = {
                part: rng.choices(range(1, 6), weights=CX_WEIGHTS)[0]
                for part in ("effectiveness", "ease", "emotion")
            }
            answers: dict[str, Any] = {"cx": scores, "reason": rng.choice(REASONS)}
            mean = sum(scores.values()) / 3
            if rng.random() < 0.4:
                tone = "positive" if mean >= 4 else "neutral" if mean >= 3 else "negative"
                answers["comment"] = texts.survey_comment(rng, tone, "en")
            answered = occurred_at + timedelta(minutes=rng.randint(5, 240))
            region = str(traits.get("region", "main")).lower().replace(" ", "-")
            session.add(
                Response(
                    survey_id=survey_id,
                    version_id=version_id,
                    channel="qr",
                    stage=stage,
                    place=f"store-{region}"[:100],
                    locale="en",
                    answers=answers,
                    status="complete",
                    started_at=answered - timedelta(minutes=2),
                    updated_at=answered,
                    completed_at=answered,
                )
            )
            made += 1
    return made
