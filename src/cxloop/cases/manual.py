"""What people do to cases through the API and the web, each in one call: open a case by
hand, or change its status, priority, tags, owner and department together."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.cases.conditions import facts
from cxloop.cases.directory import Directory
from cxloop.cases.lifecycle import (
    CaseDraft,
    assign,
    open_cases,
    set_priority,
    set_status,
    set_tags,
    transfer,
)
from cxloop.cases.models import Case
from cxloop.cases.opening import reply_channel
from cxloop.cases.routing import Router
from cxloop.cases.schemas import CaseChange, CaseOpen
from cxloop.cases.setup import department, person
from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.understanding import Enrichment


def open_by_hand(
    directory: Directory,
    data: CaseOpen,
    *,
    actor: str,
    router: Router | None = None,
    threshold: float = 0.6,
) -> Case:
    """From an interaction (its customer, channel and language come along) or for a
    customer. Without a department, the routing rules and the router decide."""
    session = directory.session
    interaction = _interaction(session, data.interaction_id) if data.interaction_id else None
    customer_id = interaction.customer_id if interaction is not None else data.customer_id
    customer = session.get(Customer, customer_id) if customer_id is not None else None
    if customer is None:
        raise ValidationFailed(
            "name an existing interaction_id or customer_id", field="interaction_id"
        )
    enrichment = (
        session.scalar(select(Enrichment).where(Enrichment.interaction_id == interaction.id))
        if interaction is not None
        else None
    )
    department_id = department(session, data.department)
    found = (
        facts(interaction, enrichment, customer)
        if interaction is not None
        else {"trait": customer.traits or {}}
    )
    draft = CaseDraft(
        customer_id=customer.id,
        facts=found,
        subject=data.subject,
        channel=data.channel or reply_channel(interaction.channel if interaction else "email"),
        origin="manual",
        priority=data.priority.value,
        tags=data.tags,
        interaction_ids=[interaction.id] if interaction is not None else [],
        text=(enrichment.redacted if enrichment else None)
        or (interaction.text if interaction else None),
        language=enrichment.language if enrichment is not None else None,
        department_id=department_id,
    )
    [case] = open_cases(
        session, directory, [draft], actor=actor, router=router, threshold=threshold
    )
    return case


def _interaction(session: Session, interaction_id: int) -> Interaction:
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise ValidationFailed(
            f"interaction {interaction_id} does not exist", field="interaction_id"
        )
    return interaction


def change_case(directory: Directory, case: Case, data: CaseChange, *, actor: str) -> Case:
    """Apply the fields given, in the order a person would: move, then re-prioritise, tag,
    assign, and last change the status."""
    session = directory.session
    given = data.model_fields_set
    if "department" in given and data.department is not None:
        target = department(session, data.department)
        if target is not None and target != case.department_id:
            transfer(directory, case, target, actor=actor)
    if data.priority is not None and data.priority.value != case.priority:
        set_priority(directory, case, data.priority.value, actor=actor)
    if data.tags is not None:
        set_tags(session, case, data.tags, actor=actor)
    if "assignee" in given:
        assign(directory, case, person(session, data.assignee, field="assignee"), actor=actor)
    if data.status is not None:
        set_status(directory, case, data.status.value, actor=actor, reason=data.reason)
    return case
