"""An agent answers the customer: the answer becomes an outbound interaction on the timeline
and a queued message, in the same unit of work; delivery happens after the commit.

The case row is locked while the answer is recorded, so two agents answering at once are
serialised: both answers are kept (messages are appended, never overwritten) and the status
moves once per answer, in order.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases.directory import Directory
from cxloop.cases.events import MessagesQueued
from cxloop.cases.lifecycle import (
    TRANSITIONS,
    first_response,
    get_case,
    link,
    record,
    set_status,
)
from cxloop.cases.models import Case, CaseLink, CaseMessage, CaseStatus
from cxloop.errors import Conflict, ValidationFailed
from cxloop.interactions import Interaction, InteractionIn, store_interactions
from cxloop.store.uow import publish
from cxloop.types import utcnow

REPLY_TYPE = "Case Reply"
AFTER_REPLY = (CaseStatus.waiting.value, CaseStatus.open.value, CaseStatus.solved.value)
MAX_BODY = 50_000


def reply(
    directory: Directory,
    case_id: int,
    *,
    author: User,
    body: str,
    subject: str | None = None,
    then: str = CaseStatus.waiting.value,
    now: datetime | None = None,
) -> CaseMessage:
    """Record an answer and queue it for delivery on the case's channel. ``then`` is the
    status the case moves to: waiting on the customer (the default), open, or solved."""
    session = directory.session
    now = now or utcnow()
    text = body.strip()
    if not text:
        raise ValidationFailed("an answer needs some text", field="body")
    if len(text) > MAX_BODY:
        raise ValidationFailed(f"an answer is at most {MAX_BODY} characters", field="body")
    if then not in AFTER_REPLY:
        raise ValidationFailed(f"then must be one of {', '.join(AFTER_REPLY)}", field="then")
    case = get_case(session, case_id, for_update=True)
    if case.merged_into_id is not None:
        raise Conflict(f"case {case.id} was merged into case {case.merged_into_id}; answer there")
    subject = (subject or "").strip() or f"Re: {case.subject}"
    interaction_id = _outbound_interaction(session, directory, case, author, text, subject, now)
    message = CaseMessage(
        case_id=case.id,
        interaction_id=interaction_id,
        author_id=author.id,
        channel=case.channel,
        subject=subject[:300],
        status="queued",
        created_at=now,
    )
    session.add(message)
    session.flush()
    link(session, case, interaction_id, role="reply", actor=author.email)
    if first_response(case, now, directory.calendar(case.department_id)):
        record(session, case, "first_response", author.email, at=now.isoformat())
    record(session, case, "replied", author.email, message_id=message.id, channel=case.channel)
    if case.status != then and CaseStatus(then) in TRANSITIONS[CaseStatus(case.status)]:
        set_status(directory, case, then, actor=author.email, now=now)
    publish(session, MessagesQueued(message_ids=(message.id,)))
    return message


def _outbound_interaction(
    session: Session,
    directory: Directory,
    case: Case,
    author: User,
    text: str,
    subject: str,
    now: datetime,
) -> int:
    department = directory.departments.get(case.department_id or 0)
    message_id = f"case-{case.id}-reply-{secrets.token_hex(8)}"
    # The answer belongs to the journey stage of what the customer raised (support, delivery...).
    stage = session.scalar(
        select(Interaction.stage)
        .join(CaseLink, CaseLink.interaction_id == Interaction.id)
        .where(CaseLink.case_id == case.id, CaseLink.role == "cause")
        .order_by(CaseLink.linked_at)
        .limit(1)
    )
    result = store_interactions(
        session,
        [
            InteractionIn(
                message_id=message_id,
                type=REPLY_TYPE,
                channel=case.channel,
                stage=stage or "support",
                direction="out",
                assisted=True,
                agent=author.email,
                department=department.slug if department is not None else None,
                customer_id=case.customer_id,
                text=text,
                properties={"case_id": case.id, "subject": subject},
                occurred_at=now,
                received_at=now,
            )
        ],
    )
    if result.rejected:
        raise ValidationFailed(result.rejected[0].detail, field=result.rejected[0].field)
    interaction_id = session.scalar(
        select(Interaction.id).where(Interaction.message_id == message_id)
    )
    assert interaction_id is not None
    return interaction_id
