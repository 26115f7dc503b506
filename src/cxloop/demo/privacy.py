"""Brightwave's privacy record: consent decisions over the customers' lives, data subject
requests (one export done, one erasure done, one erasure waiting) and retention policies, so
the privacy pages and the audit log have something true to show."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from cxloop.demo.context import ADMIN_EMAIL, DemoContext, Person
from cxloop.privacy import (
    Purpose,
    fulfil,
    open_request,
    record_consent,
    set_policy,
)
from cxloop.settings import get_settings
from cxloop.store.changes import Actor, act_as
from cxloop.store.uow import unit_of_work

SIGNUP = "web sign-up form"
# Share of customers making each decision, and where they made it.
MARKETING_OPT_IN = 0.55
LATER_UNSUBSCRIBE = 0.2
ANALYTICS_DECLINED = 0.12
PROFILING_OPT_IN = 0.3


def _consents(session: Session, ctx: DemoContext, person: Person) -> int:
    """One person's decisions: at sign-up, and the odd change of mind later."""
    assert person.customer_id is not None
    rng, made = ctx.rng, 0
    decisions: list[tuple[Purpose, bool, str, int]] = []
    if rng.random() < MARKETING_OPT_IN:
        decisions.append((Purpose.marketing, True, SIGNUP, 0))
        if rng.random() < LATER_UNSUBSCRIBE:
            later = rng.randrange(20, 400)
            decisions.append((Purpose.marketing, False, "newsletter unsubscribe link", later))
    if rng.random() < ANALYTICS_DECLINED:
        decisions.append((Purpose.analytics, False, "cookie banner", 0))
    if rng.random() < PROFILING_OPT_IN:
        decisions.append((Purpose.profiling, True, SIGNUP, 0))
    for purpose, granted, source, days in decisions:
        at = min(person.joined_at + timedelta(days=days), ctx.end)
        record_consent(
            session,
            customer_id=person.customer_id,
            purpose=purpose,
            granted=granted,
            source=source,
            at=at,
        )
        made += 1
    return made


def privacy_step(ctx: DemoContext) -> None:
    """Consent for everyone, three requests and two retention policies."""
    people = [p for p in ctx.people if p.customer_id is not None]
    with unit_of_work(ctx.bind) as session:
        ctx.counts["consent_records"] = sum(_consents(session, ctx, p) for p in people)
    archive_dir = get_settings().data_dir / "privacy"
    churned = [p for p in people if p.churn_at and p.customer_id != ctx.story_customer_id]
    staying = [p for p in people if not p.churn_at and p.customer_id != ctx.story_customer_id]
    with unit_of_work(ctx.bind) as session:
        act_as(session, Actor(ADMIN_EMAIL, via="web"))  # the demo's privacy officer at work
        exported = open_request(
            session,
            customer_id=ctx.rng.choice(staying).customer_id or 0,
            kind="export",
            requested_by=ADMIN_EMAIL,
            note="Asked by email for a copy of their data",
        )
        fulfil(session, exported, archive_dir=archive_dir, actor=ADMIN_EMAIL)
        if churned:
            erased = open_request(
                session,
                customer_id=churned[0].customer_id or 0,
                kind="erasure",
                requested_by=ADMIN_EMAIL,
                note="Asked to be forgotten after cancelling",
            )
            fulfil(session, erased, archive_dir=archive_dir, actor=ADMIN_EMAIL)
        open_request(
            session,
            customer_id=(churned[1] if len(churned) > 1 else staying[-1]).customer_id or 0,
            kind="erasure",
            requested_by=ADMIN_EMAIL,
            note="Phoned the support line; identity check pending",
        )
        set_policy(session, kind="raw_text", days=730, action="anonymize", actor=ADMIN_EMAIL)
        set_policy(session, kind="interactions", days=1825, action="delete", actor=ADMIN_EMAIL)
    ctx.counts["privacy_requests"] = 3 if churned else 2
