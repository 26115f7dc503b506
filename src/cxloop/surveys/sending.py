"""Sending queued invitations, after the commit that queued them: email over SMTP, SMS and
chat through the survey webhook (the provider sends the text).

Each invitation is claimed (``queued`` to ``sending``) in its own committed transaction before
it goes out, so two senders, or a sender restarted after a crash, never send it twice: an
invitation left in ``sending`` by a crash is reported, not resent. The result of each send
(sent, bounced, failed with the reason) is committed as soon as it is known.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection, Engine, update
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


def delivered_channels(settings: Settings) -> frozenset[str]:
    """Channels cxloop sends itself; on the others the caller hands out the link."""
    return frozenset({"email"}) | (WEBHOOK_CHANNELS if settings.survey_webhook_url else frozenset())


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    bounced: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def _claim(session: Session, invitation_id: int) -> bool:
    """Take the invitation for sending; False when another sender has it or it is done."""
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.status.in_([InvitationStatus.queued.value, InvitationStatus.failed.value]),
        )
        .values(status=InvitationStatus.sending.value, attempts=Invitation.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _finish(
    session: Session, invitation_id: int, status: InvitationStatus, error: str | None
) -> None:
    now = utcnow()
    values: dict[str, object] = {"status": status.value, "last_error": error}
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


@contextmanager
def _webhook(
    settings: Settings, sleep: Callable[[float], None] | None
) -> Iterator[WebhookSender | None]:
    if not settings.survey_webhook_url:
        yield None
        return
    yield WebhookSender(
        settings.survey_webhook_url,
        settings.survey_webhook_secret or "",
        timeout_s=settings.smtp_timeout_s,
        retries=settings.smtp_retries,
        sleep=sleep,
    )


def _prepare(
    session: Session, settings: Settings, invitation_id: int, definitions: dict[int, Definition]
) -> EmailMessage | dict[str, Any]:
    invitation = session.get(Invitation, invitation_id, populate_existing=True)
    assert invitation is not None
    customer = session.get(Customer, invitation.customer_id)
    survey = session.get(Survey, invitation.survey_id)
    assert customer is not None and survey is not None
    if survey.id not in definitions:
        version = live_version(session, survey)
        assert version is not None  # invitations are only made for live surveys
        definitions[survey.id] = Definition.model_validate(version.definition)
    if invitation.channel in WEBHOOK_CHANNELS:
        return _webhook_data(settings, invitation, customer, survey, definitions[survey.id])
    return invitation_email(
        settings,
        invitation_id=invitation.id,
        customer_id=customer.id,
        to=invitation.email or customer.email or "",
        traits=customer.traits,
        definition=definitions[survey.id],
    )


def _send(
    outgoing: EmailMessage | dict[str, Any],
    invitation_id: int,
    smtp: Mailer,
    hook: WebhookSender | None,
) -> None:
    if isinstance(outgoing, EmailMessage):
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
    """Send each queued invitation in ``invitation_ids`` once (one SMTP session for all)."""
    report = SendReport()
    definitions: dict[int, Definition] = {}
    with mailer(settings, sleep) as smtp, _webhook(settings, sleep) as hook:
        for invitation_id in invitation_ids:
            with unit_of_work(bind) as session:
                if not _claim(session, invitation_id):
                    report.skipped += 1
                    continue
                outgoing = _prepare(session, settings, invitation_id, definitions)
            status, error = InvitationStatus.sent, None
            try:
                _send(outgoing, invitation_id, smtp, hook)
                report.sent += 1
            except (EmailBounced, WebhookRejected) as exc:
                status, error = InvitationStatus.bounced, exc.detail
                report.bounced += 1
            except (EmailUnavailable, WebhookUnavailable) as exc:
                status, error = InvitationStatus.failed, exc.detail
                report.failed += 1
                report.errors.append(f"invitation {invitation_id}: {exc.detail}")
            with unit_of_work(bind) as session:
                _finish(session, invitation_id, status, error)
    return report


def _on_queued(event: InvitationsQueued) -> None:
    deliver_invitations(event.bind, event.settings, event.invitation_ids)


bus.subscribe(InvitationsQueued, _on_queued)
