"""The dispatcher: read new interactions, invite where a trigger matches, send what is due.

It keeps a read mark committed together with the invitations it made, so a dispatcher that
stops half-way (or is run twice) resumes exactly where the last commit left it; sending then
claims each invitation before it goes out (see :mod:`cxloop.surveys.sending`). Run it from
``cxloop survey dispatch`` (once, or ``--every N`` seconds) or from a scheduled job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session

from cxloop.interactions import Interaction
from cxloop.settings import Settings
from cxloop.store.uow import unit_of_work
from cxloop.surveys.fatigue import FatigueRules
from cxloop.surveys.invitations import due_invitations
from cxloop.surveys.models import Invitation, InvitationStatus
from cxloop.surveys.sending import SendReport, deliver_invitations, delivered_channels
from cxloop.surveys.triggers import active_triggers, evaluate, read_mark
from cxloop.types import utcnow

BATCH = 2_000
SEND_BATCH = 1_000


@dataclass(slots=True)
class DispatchReport:
    evaluated: int = 0
    invited: int = 0
    sending: SendReport = field(default_factory=SendReport)
    in_doubt: int = 0
    """Invitations claimed by a sender that never recorded the outcome (it crashed, or is
    still running elsewhere): perhaps sent, so never resent; look at them by hand."""


def evaluate_batch(session: Session, settings: Settings, *, now: datetime) -> tuple[int, int]:
    """Evaluate the next batch of interactions after the mark; (read, invited)."""
    mark = read_mark(session)
    triggers = active_triggers(session)
    if not triggers:  # nothing to match: move past what arrived without reading it
        newest, read = session.execute(
            select(func.max(Interaction.id), func.count()).where(
                Interaction.id > mark.last_interaction_id
            )
        ).one()
        if read:
            mark.last_interaction_id = newest
        return int(read), 0
    interactions = list(
        session.scalars(
            select(Interaction)
            .where(Interaction.id > mark.last_interaction_id)
            .order_by(Interaction.id)
            .limit(BATCH)
        )
    )
    if not interactions:
        return 0, 0
    made = evaluate(
        session,
        interactions,
        triggers,
        rules=FatigueRules(
            cooldown_days=settings.survey_cooldown_days, ttl_days=settings.survey_link_ttl_days
        ),
        default_timezone=settings.default_timezone,
        now=now,
        delivered=delivered_channels(settings),
    )
    mark.last_interaction_id = interactions[-1].id
    session.flush()
    return len(interactions), len(made)


def dispatch(
    bind: Engine | Connection, settings: Settings, *, now: datetime | None = None
) -> DispatchReport:
    report = DispatchReport()
    moment = now or utcnow()
    while True:
        with unit_of_work(bind) as session:
            read, invited = evaluate_batch(session, settings, now=moment)
        report.evaluated += read
        report.invited += invited
        if read < BATCH:
            break
    while True:
        with unit_of_work(bind, write=False) as session:
            due = due_invitations(session, limit=SEND_BATCH, now=moment)
        if not due:
            break
        sent = deliver_invitations(bind, settings, due)
        for name in ("sent", "bounced", "failed", "skipped"):
            setattr(report.sending, name, getattr(report.sending, name) + getattr(sent, name))
        report.sending.errors += sent.errors
        if sent.sent + sent.bounced == 0:
            break  # the server is down: what failed waits for the next run
    with unit_of_work(bind, write=False) as session:
        report.in_doubt = int(
            session.scalar(
                select(func.count()).where(Invitation.status == InvitationStatus.sending.value)
            )
            or 0
        )
    return report
