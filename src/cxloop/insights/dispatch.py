"""Sending what alerts and reports have to say, once: each message is recorded in
``insight_dispatches`` under its rule (or report), group, period and channel, and a message
already recorded is never sent again, whichever process or restart asks.

A channel that fails is logged and left unrecorded, so the next scheduled run tries it again
while the channels that worked stay sent (the record is committed with the run).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.insights.alert_models import Dispatch
from cxloop.outreach import (
    EmailBounced,
    EmailUnavailable,
    Notice,
    WebhookRejected,
    WebhookUnavailable,
    email_notice,
)
from cxloop.settings import Settings

logger = logging.getLogger(__name__)
SendFailed = (EmailBounced, EmailUnavailable, WebhookRejected, WebhookUnavailable)


def recipients(session: Session, user_ids: Sequence[int], addresses: Sequence[str]) -> list[str]:
    """The active users' emails, then the configured addresses, each once."""
    users = session.scalars(select(User).where(User.id.in_(user_ids), User.is_active.is_(True)))
    found = [u.email for u in users] + list(addresses)
    return list(dict.fromkeys(found))


def sent(session: Session, subject: str, owner_id: int, group_key: str, period: str) -> set[str]:
    """The channels this message already went out on."""
    return set(
        session.scalars(
            select(Dispatch.channel).where(
                Dispatch.subject == subject,
                Dispatch.owner_id == owner_id,
                Dispatch.group_key == group_key,
                Dispatch.period == period,
            )
        )
    )


def once(
    session: Session,
    *,
    subject: str,
    owner_id: int,
    group_key: str,
    period: str,
    channels: dict[str, Callable[[], object]],
) -> list[str]:
    """Run each channel's sender unless it was recorded before; return the channels sent."""
    done = sent(session, subject, owner_id, group_key, period)
    delivered = []
    for channel, send in channels.items():
        if channel in done:
            continue
        try:
            send()
        except SendFailed as exc:
            logger.warning(
                "%s %s (%s, %s): the %s could not go out, retried next run: %s",
                subject, owner_id, group_key, period, channel, exc.detail,
            )  # fmt: skip
            continue
        session.add(
            Dispatch(
                subject=subject, owner_id=owner_id, group_key=group_key, period=period,
                channel=channel,
            )
        )  # fmt: skip
        session.flush()
        delivered.append(channel)
    return delivered


def email_sender(settings: Settings, notice: Notice, to: list[str]) -> Callable[[], object]:
    return lambda: email_notice(settings, notice, to)
