"""Privacy requests reach survey data through the hooks every domain implements."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.hooks import get_plugin_manager
from cxloop.interactions import Interaction
from cxloop.privacy import apply_retention, set_policy
from cxloop.surveys import (
    FatigueRules,
    Invitation,
    OptOut,
    Origin,
    Response,
    complete,
    invite,
    opt_out,
    require_live,
    save_answers,
    start_response,
)
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.surveys.factories import make_survey


def answered(session: Session) -> tuple[int, Response]:
    """A customer invited after a delivery who answered with a score and a comment."""
    ann = make_customer(session, email="ann@example.com")
    delivery = make_interaction(session, customer_id=ann.id, stage="delivery")
    survey = make_survey(session)
    invitation = invite(
        session,
        survey=survey,
        customer_ids=[ann.id],
        channel="email",
        rules=FatigueRules(cooldown_days=0, ttl_days=30),
        trigger_interaction_id=delivery.id,
    ).invitations[0]
    response = start_response(
        session,
        survey=survey,
        version=require_live(session, survey),
        origin=Origin(channel="email", customer_id=ann.id, trigger_interaction_id=delivery.id),
        locale="en",
        invitation=invitation,
    )
    save_answers(session, response, {"nps": 4, "why": "Ann here: the driver was rude"})
    complete(session, response)
    opt_out(session, customer_id=ann.id)
    return ann.id, response


def test_export_holds_invitations_answers_and_the_opt_out(session: Session) -> None:
    customer_id, _ = answered(session)
    parts = get_plugin_manager().hook.cxloop_export_customer_data(
        session=session, customer_ids=[customer_id]
    )
    mine = next(p for p in parts if "survey_responses" in p)
    assert mine["survey_responses"][0]["answers"] == {
        "nps": 4,
        "why": "Ann here: the driver was rude",
    }
    assert mine["survey_invitations"][0]["email"] == "ann@example.com"
    assert len(mine["survey_opt_outs"]) == 1


def test_anonymizing_keeps_the_score_and_drops_the_words(session: Session) -> None:
    customer_id, response = answered(session)
    get_plugin_manager().hook.cxloop_erase_customer_data(
        session=session, customer_ids=[customer_id], mode="anonymize"
    )
    session.refresh(response)
    assert response.answers == {"nps": 4}
    invitation = session.scalars(
        select(Invitation).where(Invitation.customer_id == customer_id)
    ).one()
    assert invitation.email is None and invitation.completed_at is not None


def test_deleting_removes_survey_rows_before_the_interactions_they_point_at(
    session: Session,
) -> None:
    customer_id, _ = answered(session)
    counts: dict[str, int] = {}
    for part in get_plugin_manager().hook.cxloop_erase_customer_data(
        session=session, customer_ids=[customer_id], mode="delete"
    ):
        counts.update(part)
    assert (counts["survey_responses"], counts["survey_invitations"]) == (1, 1)
    for model in (Response, Invitation, OptOut, Interaction):
        assert session.scalar(select(model).where(model.customer_id == customer_id)) is None


def test_retention_strips_old_comments_and_keeps_scores(session: Session) -> None:
    _customer_id, response = answered(session)
    response.started_at = utcnow() - timedelta(days=400)
    session.flush()
    set_policy(session, kind="responses", days=365, action="anonymize", actor="dpo")

    [dry] = apply_retention(session, dry_run=True, actor="dpo")
    [done] = apply_retention(session, dry_run=False, actor="dpo")

    assert (dry.affected, done.affected) == (1, 1)
    session.refresh(response)
    assert response.answers == {"nps": 4}
    assert response.respondent is None and response.anonymized_at is not None
    invitation = session.get(Invitation, response.invitation_id)
    assert invitation is not None and invitation.email is None
    [dry_again] = apply_retention(session, dry_run=True, actor="dpo")
    [again] = apply_retention(session, dry_run=False, actor="dpo")
    assert (dry_again.affected, again.affected) == (0, 0)


def test_retention_may_delete_old_responses(session: Session) -> None:
    _customer_id, response = answered(session)
    response.started_at = utcnow() - timedelta(days=400)
    session.flush()
    set_policy(session, kind="responses", days=365, action="delete", actor="dpo")

    apply_retention(session, dry_run=False, actor="dpo")

    assert session.scalars(select(Response).where(Response.id == response.id)).first() is None
