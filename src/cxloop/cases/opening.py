"""Opening rules at work: which new interactions need a case.

Evaluated once an interaction is understood (or at once, when it has no text: one with text
but no enrichment yet is left for when its enrichment lands). The first
active rule that holds opens a case; an interaction of a customer who already has an active
case joins that case instead (three emails about one bill are one case, not three), and an
interaction already on a case is never evaluated again, so a retried job opens nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases.conditions import facts, holds
from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import CaseDraft, link, open_cases
from cxloop.cases.models import ACTIVE_STATUSES, Case, CaseLink, CaseRule
from cxloop.cases.routing import Router
from cxloop.customers import Customer
from cxloop.interactions import Interaction
from cxloop.understanding import Enrichment

# Channels an answer can go back on; anything else (a web form, a survey, a store visit) is
# answered by email.
REPLY_CHANNELS = frozenset({"email", "sms", "chat", "social"})
SNIPPET = 80


@dataclass
class Opened:
    cases: list[Case] = field(default_factory=list)
    joined: int = 0
    """Interactions added to a case their customer already had open."""


def active_rules(session: Session) -> list[CaseRule]:
    return list(
        session.scalars(
            select(CaseRule).where(CaseRule.active).order_by(CaseRule.position, CaseRule.id)
        )
    )


def reply_channel(channel: str) -> str:
    return channel if channel in REPLY_CHANNELS else "email"


def subject_for(rule: CaseRule, interaction: Interaction, redacted: str | None) -> str:
    """The rule's name and what the customer said (redacted when understood), in one line."""
    said = " ".join((redacted or interaction.text or "").split())
    if len(said) > SNIPPET:
        said = said[: SNIPPET - 1].rstrip() + "…"
    return f"{rule.name}: {said or interaction.type}"


def evaluate(
    session: Session,
    directory: Directory,
    interaction_ids: Sequence[int],
    *,
    router: Router | None = None,
    threshold: float = 0.6,
    now: datetime | None = None,
) -> Opened:
    result = Opened()
    rules = active_rules(session)
    if not rules or not interaction_ids:
        return result
    ids = sorted(set(interaction_ids))
    done = set(
        session.scalars(select(CaseLink.interaction_id).where(CaseLink.interaction_id.in_(ids)))
    )
    interactions = [
        i
        for i in session.scalars(
            select(Interaction)
            .where(Interaction.id.in_(ids), Interaction.direction == "in")
            .order_by(Interaction.id)
        )
        if i.id not in done
    ]
    if not interactions:
        return result
    enrichments = {
        e.interaction_id: e
        for e in session.scalars(
            select(Enrichment).where(Enrichment.interaction_id.in_([i.id for i in interactions]))
        )
    }
    customer_ids = {i.customer_id for i in interactions}
    customers = {
        c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    }
    open_case_of = {
        c.customer_id: c
        for c in session.scalars(
            select(Case)
            .where(
                Case.customer_id.in_(customer_ids),
                Case.status.in_(sorted(ACTIVE_STATUSES)),
                Case.merged_into_id.is_(None),
            )
            .order_by(Case.id)
        )
    }
    drafts: dict[int, CaseDraft] = {}
    for interaction in interactions:
        enrichment = enrichments.get(interaction.id)
        if interaction.text and enrichment is None:
            continue  # judged once understood: rules read its sentiment, topics, urgency
        found = facts(interaction, enrichment, customers.get(interaction.customer_id))
        rule = next((r for r in rules if holds(r.conditions, found)), None)
        if rule is None:
            continue
        existing = open_case_of.get(interaction.customer_id)
        if existing is not None:
            result.joined += link(
                session, existing, interaction.id, role="cause", actor=f"rule:{rule.name}"
            )
            continue
        draft = drafts.get(interaction.customer_id)
        if draft is not None:
            draft.interaction_ids.append(interaction.id)
            continue
        redacted = enrichment.redacted if enrichment is not None else None
        drafts[interaction.customer_id] = CaseDraft(
            customer_id=interaction.customer_id,
            subject=subject_for(rule, interaction, redacted),
            channel=reply_channel(interaction.channel),
            origin="rule",
            priority=rule.priority,
            tags=list(rule.tags),
            interaction_ids=[interaction.id],
            facts=found,
            text=redacted or interaction.text,
            language=enrichment.language if enrichment is not None else None,
            rule_id=rule.id,
        )
    result.cases = (
        open_cases(
            session,
            directory,
            list(drafts.values()),
            actor="rules",
            router=router,
            threshold=threshold,
            now=now,
        )
        if drafts
        else []
    )
    return result
