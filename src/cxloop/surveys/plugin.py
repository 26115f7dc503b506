"""The surveys domain's hook implementations: merges, privacy export, erasure, retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cxloop.hooks import hookimpl
from cxloop.store.crud import rows_affected
from cxloop.surveys.models import Invitation, OptOut, Response
from cxloop.surveys.responses import without_free_text
from cxloop.types import utcnow


@hookimpl
def cxloop_customers_merged(session: Session, winner_id: int, loser_id: int) -> int:
    """Invitations, responses and an opt-out follow the customer into the merge (an opt-out
    of either person holds for the merged one)."""
    moved = 0
    for model in (Invitation, Response):
        result = session.execute(
            update(model)
            .where(model.customer_id == loser_id)
            .values(customer_id=winner_id)
            .execution_options(synchronize_session=False)
        )
        moved += rows_affected(result)
    if session.scalar(select(OptOut.customer_id).where(OptOut.customer_id == loser_id)):
        if session.get(OptOut, winner_id) is None:
            session.add(OptOut(customer_id=winner_id, via="merge"))
        session.execute(delete(OptOut).where(OptOut.customer_id == loser_id))
        moved += 1
    return moved


def _invitation_row(i: Invitation) -> dict[str, Any]:
    return {
        "survey_id": i.survey_id,
        "channel": i.channel,
        "stage": i.stage,
        "email": i.email,
        "status": i.status,
        "created_at": i.created_at,
        "sent_at": i.sent_at,
        "opened_at": i.opened_at,
        "completed_at": i.completed_at,
    }


def _response_row(r: Response) -> dict[str, Any]:
    return {
        "survey_id": r.survey_id,
        "version_id": r.version_id,
        "channel": r.channel,
        "stage": r.stage,
        "place": r.place,
        "locale": r.locale,
        "answers": r.answers,
        "respondent": r.respondent,
        "status": r.status,
        "started_at": r.started_at,
        "completed_at": r.completed_at,
    }


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    invitations = session.scalars(
        select(Invitation).where(Invitation.customer_id.in_(customer_ids)).order_by(Invitation.id)
    )
    responses = session.scalars(
        select(Response).where(Response.customer_id.in_(customer_ids)).order_by(Response.id)
    )
    opt_outs = session.scalars(select(OptOut).where(OptOut.customer_id.in_(customer_ids)))
    return {
        "survey_invitations": [_invitation_row(i) for i in invitations],
        "survey_responses": [_response_row(r) for r in responses],
        "survey_opt_outs": [{"via": o.via, "at": o.created_at} for o in opt_outs],
    }


@hookimpl(tryfirst=True)
def cxloop_erase_customer_data(
    session: Session, customer_ids: list[int], mode: str
) -> dict[str, int]:
    """Runs before the interactions are erased, since survey rows point at them. "delete"
    removes invitations, responses and the opt-out; "anonymize" keeps the scores and the
    funnel times but drops free-text answers, the widget's ids and the email address."""
    responses = list(
        session.scalars(select(Response).where(Response.customer_id.in_(customer_ids)))
    )
    invitations = select(Invitation.id).where(Invitation.customer_id.in_(customer_ids))
    if mode == "delete":
        for response in responses:
            session.delete(response)
        session.flush()
        removed = session.execute(
            delete(Invitation)
            .where(Invitation.id.in_(invitations))
            .execution_options(synchronize_session=False)
        )
        session.execute(delete(OptOut).where(OptOut.customer_id.in_(customer_ids)))
        return {
            "survey_responses": len(responses),
            "survey_invitations": rows_affected(removed),
        }
    anonymize_responses(session, responses)
    anonymized = session.execute(
        update(Invitation)
        .where(Invitation.id.in_(invitations))
        .values(email=None)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return {
        "survey_responses": len(responses),
        "survey_invitations": rows_affected(anonymized),
    }


def anonymize_responses(session: Session, responses: list[Response]) -> int:
    """The one anonymization of responses, for an erasure and a retention policy alike: the
    scores and choices stay (metrics count them as before), free-text answers, the widget's
    ids and the address the invitation went to are gone, and the response is marked so no
    later run counts or rewrites it again."""
    pending = [r for r in responses if r.anonymized_at is None]
    now = utcnow()
    for response in pending:
        response.answers = without_free_text(session, response)
        response.respondent = None
        response.anonymized_at = now
    invited = [r.invitation_id for r in pending if r.invitation_id is not None]
    if invited:
        session.execute(
            update(Invitation)
            .where(Invitation.id.in_(invited))
            .values(email=None)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    return len(pending)


@hookimpl
def cxloop_retention_kinds() -> dict[str, str]:
    return {
        "responses": "survey responses; anonymize drops free-text answers and the widget's ids "
        "(scores stay, so metrics keep counting them), delete removes the responses",
    }


@hookimpl
def cxloop_apply_retention(
    session: Session, kind: str, before: datetime, action: str, dry_run: bool
) -> int | None:
    if kind != "responses":
        return None
    old = select(Response).where(Response.started_at < before)
    if action == "anonymize":
        old = old.where(Response.anonymized_at.is_(None))
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(old.subquery())) or 0)
    responses = list(session.scalars(old))
    if action == "anonymize":
        return anonymize_responses(session, responses)
    for response in responses:
        session.delete(response)
    session.flush()
    return len(responses)
