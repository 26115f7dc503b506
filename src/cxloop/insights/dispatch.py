"""Sending what alerts and reports have to say, once: each message is recorded in
``insight_dispatches`` under its rule (or report), group, period and channel, and a message
already recorded is never sent again, whichever process or restart asks.

A message is described as data (:class:`Outgoing`: a notice and its recipients, or a webhook
and its body), so one that fails can wait in the outbox (:mod:`cxloop.insights.outbox`) and
go out later exactly as it was first meant, while the channels that worked stay sent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.insights.alert_models import Delivery, Dispatch
from cxloop.outreach import (
    EmailBounced,
    EmailUnavailable,
    Notice,
    WebhookRejected,
    WebhookUnavailable,
    configured_sender,
    email_notice,
    post_notice,
)
from cxloop.settings import Settings

logger = logging.getLogger(__name__)
SendFailed = (EmailBounced, EmailUnavailable, WebhookRejected, WebhookUnavailable)


def permanent(error: Exception) -> bool:
    """A refusal the same message would meet again (a 5xx bounce, a 4xx webhook answer):
    not retried. A 4xx SMTP answer, even after the mailer's own retries, is temporary
    (RFC 5321), so it is."""
    if isinstance(error, WebhookRejected):
        return True
    return isinstance(error, EmailBounced) and not error.detail.startswith("4")


BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
"""The wait after the 1st, 2nd, ... failed attempt; after the last, the message has failed."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message on one channel, as plain JSON data (what the outbox keeps)."""

    title: str
    payload: dict[str, Any]


def email_message(notice: Notice, to: Sequence[str]) -> Outgoing:
    return Outgoing(notice.title, {"kind": "email", "to": list(to), "notice": _plain(notice)})


def chat_message(url: str, notice: Notice) -> Outgoing:
    """A Slack/Teams-compatible incoming webhook: ``{"text": ...}``."""
    return Outgoing(notice.title, {"kind": "chat", "url": url, "notice": _plain(notice)})


def signed_message(
    url: str, title: str, message_id: str, event_type: str, data: dict[str, Any]
) -> Outgoing:
    """A Standard Webhooks event, signed when sent; the id lets a receiver drop repeats."""
    return Outgoing(
        title,
        {"kind": "standard", "url": url, "id": message_id, "type": event_type, "data": data},
    )


def _plain(notice: Notice) -> dict[str, Any]:
    return {"title": notice.title, "lines": list(notice.lines), "link": notice.link}


def deliver(settings: Settings, payload: dict[str, Any]) -> None:
    """Send one message as described; raises one of :data:`SendFailed`."""
    kind = payload["kind"]
    if kind == "email":
        email_notice(settings, Notice(**payload["notice"]), payload["to"])
    elif kind == "chat":
        post_notice(
            payload["url"],
            Notice(**payload["notice"]),
            timeout_s=settings.smtp_timeout_s,
            retries=settings.smtp_retries,
        )
    else:
        sender = configured_sender(payload["url"], settings.alert_webhook_secret, settings)
        if sender is None:
            raise WebhookRejected("no alert_webhook_secret is set to sign the webhook with")
        sender.send(payload["id"], payload["type"], payload["data"])


def recipients(session: Session, user_ids: Sequence[int], addresses: Sequence[str]) -> list[str]:
    """The active users' emails, then the configured addresses, each once."""
    users = session.scalars(select(User).where(User.id.in_(user_ids), User.is_active.is_(True)))
    found = [u.email for u in users] + list(addresses)
    return list(dict.fromkeys(found))


def sent(session: Session, subject: str, owner_id: int, group_key: str, period: str) -> set[str]:
    """The channels this message already went out on."""
    return _channels(session, Dispatch, subject, owner_id, group_key, period)


def queued(session: Session, subject: str, owner_id: int, group_key: str, period: str) -> set[str]:
    """The channels this message waits (or failed for good) in the outbox on."""
    return _channels(session, Delivery, subject, owner_id, group_key, period)


def _channels(
    session: Session,
    model: type[Dispatch] | type[Delivery],
    subject: str,
    owner_id: int,
    group_key: str,
    period: str,
) -> set[str]:
    """Both tables carry a message's key (subject, owner, group, period) and its channel."""
    return set(
        session.scalars(
            select(model.channel).where(
                model.subject == subject,
                model.owner_id == owner_id,
                model.group_key == group_key,
                model.period == period,
            )
        )
    )


def record_sent(
    session: Session, *, subject: str, owner_id: int, group_key: str, period: str, channel: str
) -> None:
    session.add(
        Dispatch(
            subject=subject, owner_id=owner_id, group_key=group_key, period=period,
            channel=channel,
        )
    )  # fmt: skip
    session.flush()


def after_failure(
    delivery: Delivery, error: Exception | str, now: datetime, *, permanent: bool
) -> None:
    """Set what a failed attempt leaves: the next try after its back-off, or failed."""
    delivery.last_error = (getattr(error, "detail", None) or str(error))[:1000]
    if permanent or delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]


def queue_failure(
    session: Session,
    *,
    subject: str,
    owner_id: int,
    group_key: str,
    period: str,
    channel: str,
    message: Outgoing,
    error: Exception,
    now: datetime,
) -> Delivery:
    """Keep a message whose first attempt failed in the outbox, to be retried."""
    delivery = Delivery(
        subject=subject, owner_id=owner_id, group_key=group_key, period=period,
        channel=channel, title=message.title[:500], payload=message.payload, attempts=1,
    )  # fmt: skip
    after_failure(delivery, error, now, permanent=permanent(error))
    logger.warning(
        "%s %s (%s, %s): the %s could not go out (%s); %s",
        subject, owner_id, group_key, period, channel, delivery.last_error,
        f"retried at {delivery.next_attempt_at:%H:%M}" if delivery.next_attempt_at else "failed",
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery


def once(
    session: Session,
    *,
    subject: str,
    owner_id: int,
    group_key: str,
    period: str,
    channels: dict[str, Outgoing],
    settings: Settings,
    now: datetime,
) -> list[str]:
    """Send each channel's message unless it was sent or queued before; return the channels
    sent. One that fails goes to the outbox, to be retried with back-off."""
    done = sent(session, subject, owner_id, group_key, period)
    done |= queued(session, subject, owner_id, group_key, period)
    delivered = []
    for channel, message in channels.items():
        if channel in done:
            continue
        try:
            deliver(settings, message.payload)
        except SendFailed as exc:
            queue_failure(
                session, subject=subject, owner_id=owner_id, group_key=group_key, period=period,
                channel=channel, message=message, error=exc, now=now,
            )  # fmt: skip
            continue
        record_sent(
            session, subject=subject, owner_id=owner_id, group_key=group_key, period=period,
            channel=channel,
        )  # fmt: skip
        delivered.append(channel)
    return delivered
