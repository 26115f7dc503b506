"""The outbox of alert and report messages: what failed on its first sending is tried again
by the ``insights.deliveries`` job every minute, after 1 min, 5 min, 15 min, 1 h, 3 h and
6 h, then marked failed (at once for a permanent refusal: a bounced address, a 4xx webhook).

Each attempt runs in three units of work: the message is claimed (``sending``, committed),
sent, and its outcome recorded. A second worker cannot claim it meanwhile, and a worker that
stops between the claim and the record leaves it ``sending``: the next run marks it failed
rather than sending it again, so no message ever arrives twice (at-most-once, and the
alerts page shows it). What went out is recorded as any dispatch, so the hourly check that
made the message never makes it again. A finished message leaves the outbox after a while
(``KEEP``): its recipients and body have no reason to stay once nobody needs to act on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.orm import Session

from cxloop.insights.alert_models import Delivery
from cxloop.insights.dispatch import SendFailed, after_failure, deliver, permanent, record_sent
from cxloop.settings import Settings
from cxloop.store.crud import rows_affected
from cxloop.store.uow import unit_of_work

STUCK_AFTER = timedelta(minutes=15)
"""A claim older than this belongs to a worker that stopped (a send takes seconds)."""
BATCH = 200
KEEP = {"sent": timedelta(days=7), "failed": timedelta(days=90)}
"""How long a finished message stays: a sent one briefly, as a trace (its dispatch records it
for good); a failed one long enough for someone to see it on the alerts page and fix the
address, webhook or mail server. Its period is over by then, so nothing queues it again."""
INTERRUPTED = (
    "the worker stopped while sending it; it is not sent again, so that it cannot arrive "
    "twice: check with the recipient"
)


@dataclass(frozen=True, slots=True)
class Retried:
    sent: int
    retrying: int
    failed: int
    pruned: int


def retry_due(bind: Engine | Connection, settings: Settings, now: datetime) -> Retried:
    """Try again every message whose wait is over; return what became of them."""
    with unit_of_work(bind) as session:
        pruned = _prune(session, now)
        stuck = _give_up_interrupted(session, now)
        due = list(
            session.scalars(
                select(Delivery.id)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(BATCH)
            )
        )
    outcomes = [_attempt(bind, settings, delivery_id, now) for delivery_id in due]
    return Retried(
        sent=outcomes.count("sent"),
        retrying=outcomes.count("pending"),
        failed=outcomes.count("failed") + stuck,
        pruned=pruned,
    )


def _prune(session: Session, now: datetime) -> int:
    removed = 0
    for status, kept in KEEP.items():
        result = session.execute(
            delete(Delivery).where(Delivery.status == status, Delivery.updated_at < now - kept)
        )
        removed += rows_affected(result)
    return removed


def _give_up_interrupted(session: Session, now: datetime) -> int:
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.updated_at < now - STUCK_AFTER)
        .values(status="failed", next_attempt_at=None, last_error=INTERRUPTED, updated_at=now)
    )
    return rows_affected(result)


def _attempt(bind: Engine | Connection, settings: Settings, delivery_id: int, now: datetime) -> str:
    with unit_of_work(bind) as session:
        claimed = session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == "pending")
            .values(status="sending", attempts=Delivery.attempts + 1, updated_at=now)
        )
        if not rows_affected(claimed):
            return "skipped"  # another worker has it
        payload = session.scalars(select(Delivery.payload).where(Delivery.id == delivery_id)).one()
    error: Exception | None = None
    try:
        deliver(settings, payload)
    except SendFailed as exc:
        error = exc
    with unit_of_work(bind) as session:
        delivery = session.get_one(Delivery, delivery_id)
        if error is None:
            delivery.status, delivery.next_attempt_at, delivery.last_error = "sent", None, ""
            record_sent(
                session, subject=delivery.subject, owner_id=delivery.owner_id,
                group_key=delivery.group_key, period=delivery.period, channel=delivery.channel,
            )  # fmt: skip
        else:
            after_failure(delivery, error, now, permanent=permanent(error))
        return delivery.status


def undelivered(session: Session, *, limit: int = 100) -> Sequence[Delivery]:
    """Messages not (yet) delivered, newest first: retrying, being sent, or failed."""
    return session.scalars(
        select(Delivery)
        .where(Delivery.status != "sent")
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
