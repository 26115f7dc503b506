"""The cases domain's hook implementations: merges, privacy export, erasure, retention.

Anonymizing a case keeps what the metrics count (status, priority, department, every
timestamp, SLA outcomes) and removes what a person wrote: the subject, notes and the
recipient address. Deleting removes the cases with their history and messages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from cxloop.cases.models import ACTIVE_STATUSES, Case, CaseEvent, CaseMessage
from cxloop.hooks import hookimpl
from cxloop.store.crud import rows_affected

ERASED = "[erased]"
KIND = "cases"


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """The loser's cases, and their history on the timeline, follow the customer."""
    moved = 0
    for model in (Case, CaseEvent):
        result = session.execute(
            update(model)
            .where(model.customer_id == loser_id)
            .values(customer_id=winner_id)
            .execution_options(synchronize_session=False)
        )
        moved += rows_affected(result)
    return moved


@hookimpl
def cxloop_do_not_survey(session: Session, customer_ids: list[int]) -> dict[int, str]:
    """Nobody is asked how we did while we are still working on their problem."""
    busy = session.scalars(
        select(Case.customer_id)
        .where(
            Case.customer_id.in_(customer_ids),
            Case.status.in_(sorted(ACTIVE_STATUSES)),
            Case.merged_into_id.is_(None),
        )
        .distinct()
    )
    return dict.fromkeys(busy, "has an open case")


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    cases = list(
        session.scalars(select(Case).where(Case.customer_id.in_(customer_ids)).order_by(Case.id))
    )
    ids = [c.id for c in cases]
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_(ids)).order_by(CaseEvent.id)
    )
    messages = session.scalars(
        select(CaseMessage).where(CaseMessage.case_id.in_(ids)).order_by(CaseMessage.id)
    )
    return {
        "cases": [
            {
                "id": c.id,
                "subject": c.subject,
                "status": c.status,
                "priority": c.priority,
                "channel": c.channel,
                "tags": c.tags,
                "created_at": c.created_at,
                "solved_at": c.solved_at,
                "closed_at": c.closed_at,
            }
            for c in cases
        ],
        "case_events": [
            {"case_id": e.case_id, "kind": e.kind, "actor": e.actor, "data": e.data, "at": e.at}
            for e in events
        ],
        "case_messages": [
            {
                "case_id": m.case_id,
                "channel": m.channel,
                "recipient": m.recipient,
                "subject": m.subject,
                "status": m.status,
                "sent_at": m.sent_at,
            }
            for m in messages
        ],
    }


def _strip(session: Session, cases: Select[Any]) -> int:
    """What a person wrote about a case goes; what the metrics count stays."""
    result = session.execute(
        update(Case)
        .where(Case.id.in_(cases))
        .values(subject=ERASED)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(CaseEvent)
        .where(CaseEvent.case_id.in_(cases), CaseEvent.kind == "note")
        .values(data={"text": ERASED})
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(CaseMessage)
        .where(CaseMessage.case_id.in_(cases))
        .values(recipient="", subject=ERASED)
        .execution_options(synchronize_session=False)
    )
    return rows_affected(result)


def _remove(session: Session, cases: Select[Any]) -> int:
    ids = list(session.scalars(cases))
    session.execute(
        update(Case)
        .where(Case.merged_into_id.in_(ids))
        .values(merged_into_id=None)
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        delete(Case).where(Case.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return rows_affected(result)


@hookimpl(tryfirst=True)
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Runs before the interactions and the customer are erased, since cases point at both."""
    cases = select(Case.id).where(Case.customer_id.in_(customer_ids))
    affected = _remove(session, cases) if mode == "delete" else _strip(session, cases)
    session.expire_all()
    return {KIND: affected}


@hookimpl
def cxloop_retention_kinds() -> dict[str, str]:
    return {
        KIND: "cases no longer active; anonymize removes subjects, notes and addresses (statuses "
        "and SLA outcomes stay for the metrics), delete removes them with their history",
    }


@hookimpl
def cxloop_apply_retention(
    session: Session, kind: str, before: datetime, action: str, dry_run: bool
) -> int | None:
    if kind != KIND:
        return None
    old = select(Case.id).where(
        Case.created_at < before, Case.status.not_in(sorted(ACTIVE_STATUSES))
    )
    if action == "anonymize":
        old = old.where(Case.subject != ERASED)
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(old.subquery())) or 0)
    return _remove(session, old) if action == "delete" else _strip(session, old)
