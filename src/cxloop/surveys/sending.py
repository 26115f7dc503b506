"""Sending queued email invitations, after the commit that queued them.

Each invitation is claimed (``queued`` to ``sending``) in its own committed transaction before
the email goes out, so two senders, or a sender restarted after a crash, never send it twice:
an invitation left in ``sending`` by a crash is reported, not resent. The result of each send
(sent, bounced, failed with the reason) is committed as soon as it is known.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, update
from sqlalchemy.orm import Session

from cxloop import bus
from cxloop.customers import Customer
from cxloop.outreach import EmailBounced, EmailUnavailable, mailer
from cxloop.settings import Settings
from cxloop.store.uow import unit_of_work
from cxloop.surveys.definition import Definition
from cxloop.surveys.emails import invitation_email
from cxloop.surveys.events import InvitationsQueued
from cxloop.surveys.models import Invitation, InvitationStatus, Survey
from cxloop.surveys.service import live_version
from cxloop.types import utcnow


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


def deliver_invitations(
    bind: Engine | Connection,
    settings: Settings,
    invitation_ids: Sequence[int],
    *,
    sleep: Callable[[float], None] | None = None,
) -> SendReport:
    """Send each queued invitation in ``invitation_ids`` once, over one SMTP session."""
    report = SendReport()
    definitions: dict[int, Definition] = {}
    with mailer(settings, sleep) as smtp:
        for invitation_id in invitation_ids:
            with unit_of_work(bind) as session:
                if not _claim(session, invitation_id):
                    report.skipped += 1
                    continue
                invitation = session.get(Invitation, invitation_id, populate_existing=True)
                assert invitation is not None
                customer = session.get(Customer, invitation.customer_id)
                survey = session.get(Survey, invitation.survey_id)
                assert customer is not None and survey is not None
                if survey.id not in definitions:
                    version = live_version(session, survey)
                    assert version is not None  # invitations are only made for live surveys
                    definitions[survey.id] = Definition.model_validate(version.definition)
                message = invitation_email(
                    settings,
                    invitation_id=invitation.id,
                    customer_id=customer.id,
                    to=invitation.email or customer.email or "",
                    traits=customer.traits,
                    definition=definitions[survey.id],
                )
            status, error = InvitationStatus.sent, None
            try:
                smtp.send(message)
                report.sent += 1
            except EmailBounced as exc:
                status, error = InvitationStatus.bounced, exc.detail
                report.bounced += 1
            except EmailUnavailable as exc:
                status, error = InvitationStatus.failed, exc.detail
                report.failed += 1
                report.errors.append(f"invitation {invitation_id}: {exc.detail}")
            with unit_of_work(bind) as session:
                _finish(session, invitation_id, status, error)
    return report


def _on_queued(event: InvitationsQueued) -> None:
    deliver_invitations(event.bind, event.settings, event.invitation_ids)


bus.subscribe(InvitationsQueued, _on_queued)
