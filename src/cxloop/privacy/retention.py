"""Retention: each kind of data is kept for its policy's number of days, then anonymized or
deleted. The domain owning a kind does the work through the ``cxloop_apply_retention`` hook;
a dry run counts what a real run would change, so a policy can be checked before it bites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.hooks import get_plugin_manager
from cxloop.privacy.audit import audit
from cxloop.privacy.models import RetentionAction, RetentionPolicy
from cxloop.types import utcnow

MIN_DAYS = 1


@dataclass(frozen=True, slots=True)
class RetentionOutcome:
    kind: str
    days: int
    action: str
    affected: int
    dry_run: bool


def retention_kinds() -> dict[str, str]:
    """Every kind some domain keeps, with what it is."""
    kinds: dict[str, str] = {}
    for part in get_plugin_manager().hook.cxloop_retention_kinds():
        kinds.update(part)
    return kinds


def set_policy(
    session: Session, *, kind: str, days: int, action: str, actor: str
) -> RetentionPolicy:
    known = retention_kinds()
    if kind not in known:
        raise ValidationFailed(
            f"unknown data kind '{kind}' (known: {', '.join(sorted(known))})", field="kind"
        )
    if days < MIN_DAYS:
        raise ValidationFailed(f"days must be at least {MIN_DAYS}", field="days")
    try:
        action = RetentionAction(action).value
    except ValueError as exc:
        raise ValidationFailed("action must be 'anonymize' or 'delete'", field="action") from exc
    policy = session.get(RetentionPolicy, kind)
    if policy is None:
        policy = RetentionPolicy(kind=kind, days=days, action=action, updated_by=actor)
        session.add(policy)
    else:
        policy.days, policy.action, policy.updated_by = days, action, actor
    session.flush()
    return policy


def remove_policy(session: Session, *, kind: str) -> None:
    policy = session.get(RetentionPolicy, kind)
    if policy is not None:
        session.delete(policy)
        session.flush()


def policies(session: Session) -> list[RetentionPolicy]:
    return list(session.scalars(select(RetentionPolicy).order_by(RetentionPolicy.kind)))


def apply_retention(session: Session, *, dry_run: bool, actor: str) -> list[RetentionOutcome]:
    """Run every policy once; what was changed (or would be) is audited per kind."""
    hook = get_plugin_manager().hook.cxloop_apply_retention
    now = utcnow()
    outcomes: list[RetentionOutcome] = []
    for policy in policies(session):
        counts = hook(
            session=session,
            kind=policy.kind,
            before=now - timedelta(days=policy.days),
            action=policy.action,
            dry_run=dry_run,
        )
        affected = sum(c for c in counts if c is not None)
        outcomes.append(
            RetentionOutcome(policy.kind, policy.days, policy.action, affected, dry_run)
        )
        if not dry_run:
            audit(
                session, actor=actor, action="retention.applied", target_type="data_kind",
                target_id=policy.kind, rows=affected, retention_action=policy.action,
            )  # fmt: skip
    return outcomes
