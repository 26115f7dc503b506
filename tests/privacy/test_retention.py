"""Retention: old data of a kind is anonymized or deleted; a dry run only counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.privacy import AuditEntry, apply_retention, retention_kinds, set_policy
from cxloop.types import utcnow
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction


@pytest.fixture
def old_and_new(session: Session) -> tuple[Interaction, Interaction]:
    customer = make_customer(session)
    now = utcnow()
    old = make_interaction(
        session,
        customer_id=customer.id,
        occurred_at=now - timedelta(days=400),
        text="my card is 4111 1111 1111 1111",
        properties={"order": "A-1"},
    )
    new = make_interaction(
        session, customer_id=customer.id, occurred_at=now - timedelta(days=2), text="thanks!"
    )
    return old, new


def by_id(session: Session, interaction: Interaction) -> Interaction | None:
    ident = interaction.id
    session.expire_all()
    return session.get(Interaction, ident)


def test_a_dry_run_counts_and_changes_nothing(
    session: Session, old_and_new: tuple[Interaction, Interaction]
) -> None:
    old, _new = old_and_new
    set_policy(session, kind="raw_text", days=365, action="anonymize", actor="dpo")

    [outcome] = apply_retention(session, dry_run=True, actor="dpo")

    assert (outcome.kind, outcome.affected, outcome.dry_run) == ("raw_text", 1, True)
    kept = by_id(session, old)
    assert kept is not None and kept.text is not None


def test_raw_text_past_its_days_is_removed_and_the_interaction_kept(
    session: Session, old_and_new: tuple[Interaction, Interaction]
) -> None:
    old, new = old_and_new
    set_policy(session, kind="raw_text", days=365, action="anonymize", actor="dpo")

    [outcome] = apply_retention(session, dry_run=False, actor="dpo")

    assert outcome.affected == 1
    stripped, untouched = by_id(session, old), by_id(session, new)
    assert stripped is not None and stripped.text is None
    assert stripped.properties == {"order": "A-1"}
    assert untouched is not None and untouched.text == "thanks!"
    assert session.scalar(select(func.count()).where(AuditEntry.action == "retention.applied")) == 1


def test_interactions_can_be_anonymized_or_deleted(
    session: Session, old_and_new: tuple[Interaction, Interaction]
) -> None:
    old, new = old_and_new
    set_policy(session, kind="interactions", days=365, action="anonymize", actor="dpo")
    apply_retention(session, dry_run=False, actor="dpo")
    anonymized = by_id(session, old)
    assert anonymized is not None and (anonymized.text, anonymized.properties) == (None, {})

    set_policy(session, kind="interactions", days=365, action="delete", actor="dpo")
    [outcome] = apply_retention(session, dry_run=False, actor="dpo")

    assert outcome.affected == 1
    assert by_id(session, old) is None
    assert by_id(session, new) is not None


def test_policies_are_checked(session: Session) -> None:
    assert "raw_text" in retention_kinds()
    with pytest.raises(ValidationFailed, match="unknown data kind 'logs'"):
        set_policy(session, kind="logs", days=30, action="delete", actor="dpo")
    with pytest.raises(ValidationFailed, match="at least 1"):
        set_policy(session, kind="raw_text", days=0, action="delete", actor="dpo")
    with pytest.raises(ValidationFailed, match="'anonymize' or 'delete'"):
        set_policy(session, kind="raw_text", days=30, action="shred", actor="dpo")
