"""Retention: old data of a kind is anonymized or deleted; a dry run only counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.privacy import AuditEntry, apply_retention, erase_person, retention_kinds, set_policy
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
    assert anonymized.anonymized_at is not None

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


def test_retention_anonymizes_as_an_erasure_does_keeping_every_number(session: Session) -> None:
    """The same interaction, anonymized by an erasure and by a retention policy, ends up the
    same: scores and nps kept (the metrics count it), text and personal properties gone."""
    said = {"nps": 3, "scores": {"csat": 2, "note": "awful"}, "email": "ann@example.com"}
    long_ago = utcnow() - timedelta(days=400)
    erased_customer, retained_customer = make_customer(session), make_customer(session)
    erased = make_interaction(
        session, customer_id=erased_customer.id, occurred_at=long_ago,
        text="Ann here, call 0612345678", properties=said,
    )  # fmt: skip
    retained = make_interaction(
        session, customer_id=retained_customer.id, occurred_at=long_ago,
        text="Ann here, call 0612345678", properties=said,
    )  # fmt: skip
    erase_person(session, erased_customer.id, mode="anonymize")
    set_policy(session, kind="interactions", days=365, action="anonymize", actor="dpo")
    apply_retention(session, dry_run=False, actor="dpo")

    by_erasure, by_retention = by_id(session, erased), by_id(session, retained)
    assert by_erasure is not None and by_retention is not None
    assert by_retention.properties == by_erasure.properties == {"nps": 3, "scores": {"csat": 2}}
    assert by_retention.text is None and by_erasure.text is None


def test_an_anonymized_interaction_is_not_counted_or_rewritten_by_later_runs(
    session: Session, old_and_new: tuple[Interaction, Interaction]
) -> None:
    old, _new = old_and_new
    old.properties = {"nps": 9, "order": "A-1"}
    session.flush()
    set_policy(session, kind="interactions", days=365, action="anonymize", actor="dpo")
    [first] = apply_retention(session, dry_run=False, actor="dpo")
    when = by_id(session, old).anonymized_at  # type: ignore[union-attr]

    [dry] = apply_retention(session, dry_run=True, actor="dpo")
    [again] = apply_retention(session, dry_run=False, actor="dpo")

    assert (first.affected, dry.affected, again.affected) == (1, 0, 0)
    kept = by_id(session, old)
    assert kept is not None and kept.anonymized_at == when and kept.properties == {"nps": 9}
