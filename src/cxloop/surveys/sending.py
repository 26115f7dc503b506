"""Sending queued invitations, after the commit that queued them: email over SMTP, SMS and
chat through the survey webhook (the provider sends the text).

Invitations are claimed (``queued`` to ``sending``) in a committed transaction before they go
out, so two senders, or a sender restarted after a crash, never send one twice: an invitation
left in ``sending`` by a crash is reported, not resent. The outcomes (sent, bounced, failed
with the reason) are committed as soon as the batch is through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.orm import Session

from cxloop import bus
from cxloop.customers import Customer
from cxloop.outreach import (
    EmailBounced,
    EmailUnavailable,
    Mailer,
    WebhookRejected,
    WebhookSender,
    WebhookUnavailable,
    configured_sender,
    mailer,
)
from cxloop.settings import Settings
from cxloop.store.uow import unit_of_work
from cxloop.surveys.definition import Definition
from cxloop.surveys.emails import customer_locale, invitation_email
from cxloop.surveys.events import InvitationsQueued
from cxloop.surveys.locales import choose_locale, translate
from cxloop.surveys.models import Invitation, InvitationStatus, Survey
from cxloop.surveys.service import live_version
from cxloop.surveys.tokens import invitation_token
from cxloop.types import utcnow

WEBHOOK_CHANNELS = frozenset({"sms", "chat"})
WEBHOOK_EVENT = "survey.invitation"
CLAIM_BATCH = 200


def delivered_channels(settings: Settings) -> frozenset[str]:
    """Channels cxloop sends itself; on the others the caller hands out the link."""
    return frozenset({"email"}) | (WEBHOOK_CHANNELS if settings.survey_webhook_url else frozenset())


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    bounced: int = 0
    failed: int = 0
    skipped: int = 0
    released: int = 0
    """Not tried: their server had already failed in this run; they wait for the next one."""
    errors: list[str] = field(default_factory=list)


def _claim(session: Session, invitation_ids: Sequence[int]) -> list[int]:
    """Take those of ``invitation_ids`` still waiting; another sender's or finished ones are
    left alone (rows are locked first on PostgreSQL; SQLite's writer lock does the same)."""
    sendable = [InvitationStatus.queued.value, InvitationStatus.failed.value]
    claimed = list(
        session.scalars(
            select(Invitation.id)
            .where(Invitation.id.in_(invitation_ids), Invitation.status.in_(sendable))
            .order_by(Invitation.id)
            .with_for_update(skip_locked=True)
        )
    )
    if claimed:
        session.execute(
            update(Invitation)
            .where(Invitation.id.in_(claimed))
            .values(status=InvitationStatus.sending.value, attempts=Invitation.attempts + 1)
            .execution_options(synchronize_session=False)
        )
    return claimed


def _finish(session: Session, outcomes: list[tuple[int, InvitationStatus, str | None]]) -> None:
    now = utcnow()
    for invitation_id, status, error in outcomes:
        values: dict[str, object] = {"status": status.value, "last_error": error}
        if status is InvitationStatus.queued:  # released untried: the attempt does not count
            values = {"status": status.value, "attempts": Invitation.attempts - 1}
        if status in (InvitationStatus.sent, InvitationStatus.bounced):
            values["sent_at"] = now
        if status is InvitationStatus.bounced:
            values["bounced_at"] = now
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


def _webhook_data(
    settings: Settings, invitation: Invitation, customer: Customer, survey: Survey, d: Definition
) -> dict[str, Any]:
    link = f"{settings.public_url.rstrip('/')}/s/i/"
    link += invitation_token(settings.resolved_secret_key(), invitation.id)
    locale = choose_locale(d.locales(), [customer_locale(customer.traits)], d.default_locale)
    title = translate(d.title, locale, d.default_locale)
    return {
        "invitation_id": invitation.id,
        "survey": survey.key,
        "channel": invitation.channel,
        "stage": invitation.stage,
        "locale": locale,
        "customer": {"id": customer.id, "name": customer.name, "phone": customer.phone},
        "link": link,
        "message": f"{title} {link}",
    }


def _prepare(
    session: Session, settings: Settings, claimed: list[int], definitions: dict[int, Definition]
) -> list[tuple[int, Message | dict[str, Any]]]:
    """The email or webhook event of each claimed invitation (read in one query)."""
    rows = session.execute(
        select(Invitation, Customer)
        .join(Customer, Customer.id == Invitation.customer_id)
        .where(Invitation.id.in_(claimed))
        .order_by(Invitation.id)
    ).all()
    prepared: list[tuple[int, Message | dict[str, Any]]] = []
    for invitation, customer in rows:
        survey = session.get(Survey, invitation.survey_id)
        assert survey is not None
        if survey.id not in definitions:
            version = live_version(session, survey)
            assert version is not None  # invitations are only made for live surveys
            definitions[survey.id] = Definition.model_validate(version.definition)
        definition = definitions[survey.id]
        if invitation.channel in WEBHOOK_CHANNELS:
            outgoing: Message | dict[str, Any] = _webhook_data(
                settings, invitation, customer, survey, definition
            )
        else:
            outgoing = invitation_email(
                settings,
                invitation_id=invitation.id,
                customer_id=customer.id,
                to=invitation.email or customer.email or "",
                traits=customer.traits,
                definition=definition,
            )
        prepared.append((invitation.id, outgoing))
    return prepared


def _send(
    outgoing: Message | dict[str, Any],
    invitation_id: int,
    smtp: Mailer,
    hook: WebhookSender | None,
) -> None:
    if isinstance(outgoing, Message):
        smtp.send(outgoing)
    elif hook is None:
        raise WebhookUnavailable("no survey webhook is configured (CXLOOP_SURVEY_WEBHOOK_URL)")
    else:
        hook.send(f"survey-invitation-{invitation_id}", WEBHOOK_EVENT, outgoing)


def deliver_invitations(
    bind: Engine | Connection,
    settings: Settings,
    invitation_ids: Sequence[int],
    *,
    sleep: Callable[[float], None] | None = None,
) -> SendReport:
    """Send each queued invitation in ``invitation_ids`` once (one SMTP session for all).

    Invitations are claimed and their outcomes recorded ``CLAIM_BATCH`` at a time, two
    commits per batch rather than per message.
    """
    report = SendReport()
    definitions: dict[int, Definition] = {}
    wanted = list(dict.fromkeys(invitation_ids))
    down: set[str] = set()
    hook = configured_sender(
        settings.survey_webhook_url, settings.survey_webhook_secret, settings, sleep
    )
    with mailer(settings, sleep) as smtp:
        for start in range(0, len(wanted), CLAIM_BATCH):
            batch = wanted[start : start + CLAIM_BATCH]
            with unit_of_work(bind) as session:
                claimed = _claim(session, batch)
                outgoing = _prepare(session, settings, claimed, definitions)
            report.skipped += len(batch) - len(claimed)
            outcomes = [_deliver(item, smtp, hook, report, down) for item in outgoing]
            with unit_of_work(bind) as session:
                _finish(session, outcomes)
    return report


def _deliver(
    item: tuple[int, Message | dict[str, Any]],
    smtp: Mailer,
    hook: WebhookSender | None,
    report: SendReport,
    down: set[str],
) -> tuple[int, InvitationStatus, str | None]:
    """Send one; once a server has failed for good in this run, the rest of its invitations
    are released untried (back to ``queued``) instead of each waiting out the retries."""
    invitation_id, outgoing = item
    route = "email" if isinstance(outgoing, Message) else "webhook"
    if route in down:
        report.released += 1
        return invitation_id, InvitationStatus.queued, None
    try:
        _send(outgoing, invitation_id, smtp, hook)
    except (EmailBounced, WebhookRejected) as exc:
        report.bounced += 1
        return invitation_id, InvitationStatus.bounced, exc.detail
    except (EmailUnavailable, WebhookUnavailable) as exc:
        down.add(route)
        report.failed += 1
        report.errors.append(f"invitation {invitation_id}: {exc.detail}")
        return invitation_id, InvitationStatus.failed, exc.detail
    report.sent += 1
    return invitation_id, InvitationStatus.sent, None


def _on_queued(event: InvitationsQueued) -> None:
    deliver_invitations(event.bind, event.settings, event.invitation_ids)


bus.subscribe(InvitationsQueued, _on_queued)
