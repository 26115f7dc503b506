"""``cases.notify``: tell people what happened to a case — the assignee that a case is theirs;
the assignee, the department's lead and the team's chat channel that a deadline is near, was
missed, or the case was escalated.

One job per audience, so a chat webhook that is down is retried without emailing the
assignee again. A failure here never touches the case change that caused it: that change is
committed before the job is even queued.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import Case, CaseEvent, DepartmentSetup
from cxloop.jobs.registry import Job, JobContext, register
from cxloop.outreach import (
    EmailBounced,
    Notice,
    WebhookRejected,
    email_notice,
    post_notice,
)
from cxloop.settings import Settings

Audience = Literal["assignee", "lead", "channel"]
AUDIENCES: dict[str, tuple[Audience, ...]] = {
    "assigned": ("assignee",),
    "sla_warning": ("assignee", "lead", "channel"),
    "sla_breach": ("assignee", "lead", "channel"),
    "escalated": ("assignee", "lead", "channel"),
}
CLOCKS = {"first_response": "first response", "resolution": "resolution"}
logger = logging.getLogger(__name__)


class NotifyPayload(BaseModel):
    case_id: int
    kind: str
    audience: Audience


def _latest(session: Session, case_id: int, kind: str) -> CaseEvent | None:
    return session.scalar(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)
        .order_by(CaseEvent.id.desc())
        .limit(1)
    )


def _escalated_after(session: Session, event: CaseEvent) -> bool:
    """A breach the SLA timer escalated is told once, by the escalation's notice."""
    later = _latest(session, event.case_id, "escalated")
    return later is not None and later.id > event.id


def _when(value: object, settings: Settings) -> str:
    if not isinstance(value, str):
        return "now"
    moment = datetime.fromisoformat(value).astimezone(ZoneInfo(settings.default_timezone))
    return f"{moment:%a %d %b %H:%M} ({settings.default_timezone})"


def describe(case: Case, event: CaseEvent, settings: Settings) -> Notice:
    data = event.data or {}
    clock = CLOCKS.get(str(data.get("clock")), "SLA")
    titles = {
        "assigned": f"Case #{case.id} is yours: {case.subject}",
        "sla_warning": f"Case #{case.id}: {clock} due {_when(data.get('due'), settings)}",
        "sla_breach": f"Case #{case.id} missed its {clock} deadline",
        "escalated": f"Case #{case.id} escalated: {clock} deadline missed",
    }
    lines = [f"Subject: {case.subject}", f"Priority: {case.priority} · status: {case.status}"]
    if event.kind == "escalated" and data.get("actions"):
        lines.append(f"Done: {', '.join(str(a) for a in data['actions'])}")
    return Notice(
        title=titles[event.kind],
        lines=lines,
        link=f"{settings.public_url.rstrip('/')}/cases/{case.id}",
    )


def _recipient(session: Session, case: Case, event: CaseEvent, audience: Audience) -> User | None:
    data = event.data or {}
    assignee_id = data.get("assignee_id") if event.kind == "assigned" else case.assignee_id
    if audience == "assignee":
        user_id = assignee_id
    else:
        setup = session.get(DepartmentSetup, case.department_id) if case.department_id else None
        user_id = data.get("notify_user_id") or (setup.lead_id if setup else None)
        if user_id == assignee_id:
            return None  # told already, as the assignee
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        return None
    if event.kind == "assigned" and event.actor == user.email:
        return None  # they took it themselves
    return user


def notify(context: JobContext, payload: NotifyPayload) -> None:
    session, settings = context.session, context.settings
    case = session.get(Case, payload.case_id)
    event = _latest(session, payload.case_id, payload.kind)
    if case is None or event is None or payload.kind not in AUDIENCES:
        return
    if event.kind == "sla_breach" and _escalated_after(session, event):
        return
    notice = describe(case, event, settings)
    try:
        if payload.audience == "channel":
            setup = session.get(DepartmentSetup, case.department_id) if case.department_id else None
            url = (setup.notify_webhook_url if setup else None) or settings.notify_webhook_url
            if url:
                post_notice(
                    url, notice, timeout_s=settings.smtp_timeout_s, retries=settings.smtp_retries
                )
            return
        user = _recipient(session, case, event, payload.audience)
        if user is not None:
            email_notice(settings, notice, [user.email])
    except (EmailBounced, WebhookRejected) as exc:
        # Refused for good: retrying would be refused again; the log says whom to fix.
        logger.warning(
            "case %s: the %s notice to the %s was refused: %s",
            payload.case_id,
            payload.kind,
            payload.audience,
            exc.detail,
        )


NOTIFY = register(Job("cases.notify", NotifyPayload, notify, retries=5, retry_delay_s=60))


def notifications(case_id: int, kind: str) -> list[NotifyPayload]:
    """The notices a case change calls for, one per audience."""
    return [NotifyPayload(case_id=case_id, kind=kind, audience=a) for a in AUDIENCES.get(kind, ())]
