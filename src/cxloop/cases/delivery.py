"""Delivering agents' answers, after the commit that queued them: by email over SMTP with
threading headers, or through the case webhook to the company's chat/SMS/social connector.

A message is claimed (``queued`` to ``sending``, one more attempt) in a committed
transaction before it goes out, so two runs of the job, or a run after a crash, never send it
twice; one left in ``sending`` by a crash is not resent. A refusal (a bounced address, a
connector answering 4xx, no address to send to) fails the message at once; a server that
cannot be reached is retried by the sender with back-off, then the message waits for the job
system's next run, up to :data:`DELIVERY_RUNS` runs, then fails. A failure is on the message
(what agents see) and in the case's history.

Two faults leave a message where no run will look at it again, and :func:`sweep_messages`
(run every few minutes) finds them: a message committed while the job queue could not be
reached stays ``queued`` with no job to send it, so it is queued again; a sender that stopped
mid-send (a crash, a killed worker) leaves it ``sending``, and whether the customer got it is
unknown, so it is failed with that reason for a person to decide, never sent again blindly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases.events import MessagesQueued
from cxloop.cases.lifecycle import SYSTEM, get_case, record
from cxloop.cases.models import Case, CaseLink, CaseMessage
from cxloop.customers import Customer, IdentityKind, identities_by_customer
from cxloop.errors import Conflict, NotFound
from cxloop.interactions import Interaction
from cxloop.outreach import (
    EmailBounced,
    EmailUnavailable,
    Mailer,
    WebhookRejected,
    WebhookSender,
    WebhookUnavailable,
    build_message,
    configured_sender,
    mailer,
)
from cxloop.settings import Settings
from cxloop.store.uow import publish, unit_of_work
from cxloop.types import utcnow

DELIVERY_RUNS = 6
"""Runs of the delivery job a message gets while its server cannot be reached."""
RETRY_DELAY_S = 120
"""Between two runs of the delivery job for a message whose server could not be reached."""
UNQUEUED_AFTER = timedelta(minutes=1)
"""A message never tried for this long after it was queued had no job to send it."""
RETRY_LOST_AFTER = timedelta(seconds=5 * RETRY_DELAY_S)
"""A message waiting for its next run this long has lost the job that was to run it."""
SENDER_STOPPED_AFTER = timedelta(minutes=15)
"""Far beyond any send with its retries: a message sending this long has lost its sender."""
SENDER_STOPPED = "delivery outcome unknown: the sender stopped"
SWEEP_BATCH = 1000
WEBHOOK_EVENT = "case.message"
WEBHOOK_CHANNELS = frozenset({"chat", "sms", "social"})
THREAD_DEPTH = 10
"""Message-IDs kept in References: enough for any mail client to thread, and short."""
DELIVERY_IDENTITIES = (IdentityKind.phone, IdentityKind.social, IdentityKind.external)


@dataclass(slots=True)
class Outgoing:
    """One claimed message, ready to go: an email, a webhook event, or why neither can be."""

    message_id: int
    attempts: int
    email: Message | None = None
    event: dict[str, Any] | None = None
    refusal: str | None = None


@dataclass(slots=True)
class Outcome:
    message_id: int
    status: str
    error: str | None = None


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    """Not delivered yet: their server could not be reached; the next run tries again."""
    skipped: int = 0
    """Already sent, being sent, or failed: left alone."""
    errors: list[str] = field(default_factory=list)


def support_parts(settings: Settings) -> tuple[str, str, str]:
    """The support address as (display name, local part, domain)."""
    name, address = parseaddr(settings.support_address)
    local, _, domain = address.rpartition("@")
    return name, local or "support", domain or "localhost"


def reply_address(settings: Settings, case: Case) -> str:
    """``support+<token>@domain``: a reply to it finds its case, whatever the mail client
    does with the threading headers."""
    name, local, domain = support_parts(settings)
    return formataddr((name, f"{local}+{case.reply_token}@{domain}"))


def subject_tag(case_id: int) -> str:
    return f"[case #{case_id}]"


def _claim(session: Session, message_ids: Sequence[int]) -> list[CaseMessage]:
    """Take those of ``message_ids`` still queued (locked first on PostgreSQL, so a second
    runner skips them; SQLite's writer lock does the same)."""
    claimed = list(
        session.scalars(
            select(CaseMessage)
            .where(CaseMessage.id.in_(message_ids), CaseMessage.status == "queued")
            .order_by(CaseMessage.id)
            .with_for_update(skip_locked=True)
        )
    )
    for message in claimed:
        message.status = "sending"
        message.attempts += 1
    return claimed


def _thread(session: Session, case: Case, message: CaseMessage) -> list[str]:
    """Message-IDs this answer follows, oldest first: the customer's last email on the case
    (with the chain it carried), else cxloop's own earlier answers."""
    inbound = session.scalars(
        select(Interaction.properties)
        .join(CaseLink, CaseLink.interaction_id == Interaction.id)
        .where(
            CaseLink.case_id == case.id,
            Interaction.direction == "in",
            Interaction.channel == "email",
        )
        .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
        .limit(THREAD_DEPTH)
    )
    for properties in inbound:
        parent = (properties or {}).get("email_message_id")
        if isinstance(parent, str) and parent:
            earlier = [r for r in (properties.get("email_references") or []) if isinstance(r, str)]
            return [*earlier, parent][-THREAD_DEPTH:]
    ours = session.scalars(
        select(CaseMessage.email_message_id)
        .where(
            CaseMessage.case_id == case.id,
            CaseMessage.id != message.id,
            CaseMessage.email_message_id.is_not(None),
        )
        .order_by(CaseMessage.id.desc())
        .limit(THREAD_DEPTH)
    )
    return [m for m in ours if m][::-1]


def _email(
    session: Session,
    settings: Settings,
    case: Case,
    customer: Customer,
    message: CaseMessage,
    text: str,
) -> Outgoing:
    outgoing = Outgoing(message.id, message.attempts)
    if not customer.email:
        outgoing.refusal = (
            "the customer has no email address: add one to their profile, "
            "or answer on another channel"
        )
        return outgoing
    name, local, domain = support_parts(settings)
    if message.email_message_id is None:  # kept across retries, so a resend is one message
        message.email_message_id = make_msgid(idstring=f"case{case.id}", domain=domain)
    message.recipient = customer.email
    subject = message.subject or case.subject
    if subject_tag(case.id) not in subject:
        subject = f"{subject} {subject_tag(case.id)}"
    headers = {"Reply-To": reply_address(settings, case)}
    thread = _thread(session, case, message)
    if thread:
        headers |= {"In-Reply-To": thread[-1], "References": " ".join(thread)}
    outgoing.email = build_message(
        settings,
        to=formataddr((customer.name or "", customer.email)),
        subject=subject,
        text=text,
        headers=headers,
        message_id=message.email_message_id,
        sender=formataddr((name, f"{local}@{domain}")),
    )
    return outgoing


def _event(
    session: Session,
    settings: Settings,
    case: Case,
    customer: Customer,
    message: CaseMessage,
    text: str,
) -> Outgoing:
    outgoing = Outgoing(message.id, message.attempts)
    if not settings.case_webhook_url:
        outgoing.refusal = (
            f"answers on {message.channel} go through the case webhook, and none is set "
            "(CXLOOP_CASE_WEBHOOK_URL)"
        )
        return outgoing
    identities = [
        {"kind": i.kind, "namespace": i.namespace, "value": i.value}
        for i in identities_by_customer(session, [customer.id])[customer.id]
        if i.kind in DELIVERY_IDENTITIES
    ]
    if message.channel == "sms" and not customer.phone:
        outgoing.refusal = "the customer has no phone number to answer by SMS"
        return outgoing
    if message.channel == "social" and not any(i["kind"] == "social" for i in identities):
        outgoing.refusal = "the customer has no social handle to answer on"
        return outgoing
    message.recipient = customer.phone or next((i["value"] for i in identities), "")
    author = session.get(User, message.author_id) if message.author_id else None
    outgoing.event = {
        "case_id": case.id,
        "message_id": message.id,
        "channel": message.channel,
        "subject": message.subject,
        "text": text,
        "author": {"name": author.name, "email": author.email} if author else None,
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "email": customer.email,
            "phone": customer.phone,
            "identities": identities,
        },
    }
    return outgoing


def _prepare(session: Session, settings: Settings, message: CaseMessage) -> Outgoing:
    case = get_case(session, message.case_id)
    customer = session.get(Customer, case.customer_id)
    assert customer is not None  # a case's customer is never deleted, only erased
    interaction = (
        session.get(Interaction, message.interaction_id) if message.interaction_id else None
    )
    text = (interaction.text if interaction is not None else None) or ""
    build = _event if message.channel in WEBHOOK_CHANNELS else _email
    return build(session, settings, case, customer, message, text)


def _send(outgoing: Outgoing, smtp: Mailer, hook: WebhookSender | None) -> None:
    if outgoing.email is not None:
        smtp.send(outgoing.email)
        return
    assert hook is not None and outgoing.event is not None  # else it was refused
    hook.send(f"case-message-{outgoing.message_id}", WEBHOOK_EVENT, outgoing.event)


def _outcome(
    outgoing: Outgoing,
    smtp: Mailer,
    hook: WebhookSender | None,
    down: dict[str, str],
    report: DeliveryReport,
) -> Outcome:
    """Send one. Once a server could not be reached in this run, the rest of its messages
    wait for the next run instead of each sitting through the retries again."""
    if outgoing.refusal is not None:
        return _failed(outgoing, outgoing.refusal, report)
    route = "email" if outgoing.email is not None else "webhook"
    if route in down:
        problem = f"not tried: {down[route]}"
    else:
        try:
            _send(outgoing, smtp, hook)
        except (EmailBounced, WebhookRejected) as exc:
            return _failed(outgoing, exc.detail, report)
        except (EmailUnavailable, WebhookUnavailable) as exc:
            problem = down[route] = exc.detail
        else:
            report.sent += 1
            return Outcome(outgoing.message_id, "sent")
    if outgoing.attempts >= DELIVERY_RUNS:
        return _failed(outgoing, f"gave up after {outgoing.attempts} runs: {problem}", report)
    report.deferred += 1
    return Outcome(outgoing.message_id, "queued", f"{problem} (will retry)")


def _failed(outgoing: Outgoing, error: str, report: DeliveryReport) -> Outcome:
    report.failed += 1
    report.errors.append(f"message {outgoing.message_id}: {error}")
    return Outcome(outgoing.message_id, "failed", error)


def _finish(session: Session, outcomes: list[Outcome]) -> None:
    now = utcnow()
    for outcome in outcomes:
        message = session.get(CaseMessage, outcome.message_id)
        assert message is not None
        message.status, message.error = outcome.status, outcome.error
        if outcome.status == "sent":
            message.sent_at = now
        if outcome.status == "failed":
            record(
                session,
                get_case(session, message.case_id),
                "delivery_failed",
                "system",
                message_id=message.id,
                channel=message.channel,
                error=outcome.error,
            )


def deliver_messages(
    bind: Engine | Connection,
    settings: Settings,
    message_ids: Sequence[int],
    *,
    sleep: Callable[[float], None] | None = None,
) -> DeliveryReport:
    """Send the queued ones of ``message_ids``; safe to call again with the same ids."""
    report = DeliveryReport()
    wanted = list(dict.fromkeys(message_ids))
    if not wanted:
        return report
    with unit_of_work(bind) as session:
        claimed = _claim(session, wanted)
        prepared = [_prepare(session, settings, m) for m in claimed]
    report.skipped = len(wanted) - len(claimed)
    if not prepared:
        return report
    down: dict[str, str] = {}
    hook = configured_sender(
        settings.case_webhook_url, settings.case_webhook_secret, settings, sleep
    )
    with mailer(settings, sleep) as smtp:
        outcomes = [_outcome(o, smtp, hook, down, report) for o in prepared]
    with unit_of_work(bind) as session:
        _finish(session, outcomes)
    return report


def retry_message(
    session: Session, message_id: int, *, actor: str, case_id: int | None = None
) -> CaseMessage:
    """Send a failed answer again (after its address was fixed, or the connector was).
    With ``case_id``, a message of another case is one that does not exist."""
    message = session.get(CaseMessage, message_id, with_for_update=True)
    if message is None or (case_id is not None and message.case_id != case_id):
        raise NotFound(f"message {message_id} does not exist")
    if message.status != "failed":
        raise Conflict(f"message {message_id} is {message.status}; only a failed one is resent")
    message.status, message.attempts, message.error = "queued", 0, None
    record(
        session,
        get_case(session, message.case_id),
        "delivery_retried",
        actor,
        message_id=message.id,
    )
    session.flush()
    publish(session, MessagesQueued(message_ids=(message.id,)))
    return message


@dataclass(slots=True)
class Sweep:
    requeued: list[int] = field(default_factory=list)
    """Queued again: they were waiting for a job that was never queued, or was lost."""
    stopped: list[int] = field(default_factory=list)
    """Failed: their sender stopped while sending, so whether they arrived is unknown."""


def sweep_messages(session: Session, *, now: datetime) -> Sweep:
    """Find the messages no run of the delivery job will look at again (see the module's
    docstring); the re-queued ones are handed to the job queue after the commit."""
    found = Sweep()
    waiting = session.scalars(
        select(CaseMessage.id)
        .where(
            CaseMessage.status == "queued",
            or_(
                and_(CaseMessage.attempts == 0, CaseMessage.updated_at < now - UNQUEUED_AFTER),
                CaseMessage.updated_at < now - RETRY_LOST_AFTER,
            ),
        )
        .order_by(CaseMessage.updated_at, CaseMessage.id)
        .limit(SWEEP_BATCH)
    )
    found.requeued = list(waiting)
    stuck = session.scalars(
        select(CaseMessage)
        .where(
            CaseMessage.status == "sending",
            CaseMessage.updated_at < now - SENDER_STOPPED_AFTER,
        )
        .order_by(CaseMessage.updated_at, CaseMessage.id)
        .limit(SWEEP_BATCH)
        .with_for_update(skip_locked=True)
    )
    for message in stuck:
        message.status, message.error = "failed", SENDER_STOPPED
        record(
            session,
            get_case(session, message.case_id),
            "delivery_failed",
            SYSTEM,
            message_id=message.id,
            channel=message.channel,
            error=SENDER_STOPPED,
        )
        found.stopped.append(message.id)
    session.flush()
    if found.requeued:
        publish(session, MessagesQueued(message_ids=tuple(found.requeued)))
    return found
