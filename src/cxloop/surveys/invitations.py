"""Inviting customers, without fatiguing them: opt-outs and cool-down periods are checked here,
once, so every channel and every trigger obeys the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction
from cxloop.surveys.models import Invitation, InvitationStatus, OptOut, Survey
from cxloop.types import utcnow

CHANNELS = frozenset({"email", "sms", "chat", "web", "app", "link"})
MAX_ATTEMPTS = 5
"""Sending attempts before a failing invitation is given up (it stays ``failed``)."""


@dataclass(slots=True)
class Suppressed:
    customer_id: int
    reason: str


@dataclass(slots=True)
class InviteResult:
    invitations: list[Invitation] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FatigueRules:
    """At most one invitation per customer per ``cooldown_days`` across all surveys."""

    cooldown_days: int
    ttl_days: int


def opt_out(session: Session, *, customer_id: int, via: str = "link") -> None:
    """Stop surveying a customer on every channel (repeating it changes nothing)."""
    if session.get(OptOut, customer_id) is None:
        session.add(OptOut(customer_id=customer_id, via=via))
        session.flush()


def opted_out(session: Session, customer_id: int) -> bool:
    return session.get(OptOut, customer_id) is not None


def _recently_invited(
    session: Session,
    survey: Survey,
    customer_ids: Sequence[int],
    rules: FatigueRules,
    now: datetime,
) -> dict[int, str]:
    """Customers inside a cool-down, with the reason (global first)."""
    recent: dict[int, str] = {}
    if rules.cooldown_days > 0:
        since = now - timedelta(days=rules.cooldown_days)
        for customer_id in session.scalars(
            select(Invitation.customer_id)
            .where(Invitation.customer_id.in_(customer_ids), Invitation.created_at >= since)
            .distinct()
        ):
            recent[customer_id] = (
                f"already invited to a survey in the last {rules.cooldown_days} days"
            )
    if survey.cooldown_days:
        since = now - timedelta(days=survey.cooldown_days)
        for customer_id in session.scalars(
            select(Invitation.customer_id)
            .where(
                Invitation.survey_id == survey.id,
                Invitation.customer_id.in_(customer_ids),
                Invitation.created_at >= since,
            )
            .distinct()
        ):
            recent.setdefault(
                customer_id,
                f"already invited to this survey in the last {survey.cooldown_days} days",
            )
    return recent


def invite(
    session: Session,
    *,
    survey: Survey,
    customer_ids: Sequence[int],
    channel: str,
    rules: FatigueRules,
    stage: str | None = None,
    trigger_interaction_id: int | None = None,
    now: datetime | None = None,
    delivered: frozenset[str] = frozenset({"email"}),
) -> InviteResult:
    """Create invitations for those customers the rules allow; say why the others were not.

    Invitations on ``delivered`` channels are queued for cxloop to send; on the others they
    count as sent at once (the caller hands the link out itself).
    """
    if channel not in CHANNELS:
        raise ValidationFailed(
            f"cannot invite on '{channel}' (channels: {', '.join(sorted(CHANNELS))})",
            field="channel",
        )
    now = now or utcnow()
    wanted = list(dict.fromkeys(customer_ids))
    customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(wanted)))}
    opted = set(session.scalars(select(OptOut.customer_id).where(OptOut.customer_id.in_(wanted))))
    recent = _recently_invited(session, survey, wanted, rules, now)
    if trigger_interaction_id is not None and stage is None:
        stage = session.scalar(
            select(Interaction.stage).where(Interaction.id == trigger_interaction_id)
        )
    result = InviteResult()
    for customer_id in wanted:
        customer = customers.get(customer_id)
        reason = (
            "no such customer"
            if customer is None
            else "merged into another customer"
            if customer.merged_into_id is not None
            else "opted out of surveys"
            if customer_id in opted
            else recent.get(customer_id)
            or ("has no email address" if channel == "email" and not customer.email else None)
        )
        if reason is not None or customer is None:
            result.suppressed.append(Suppressed(customer_id=customer_id, reason=reason or ""))
            continue
        invitation = Invitation(
            survey_id=survey.id,
            customer_id=customer_id,
            channel=channel,
            stage=stage,
            email=customer.email if channel == "email" else None,
            trigger_interaction_id=trigger_interaction_id,
            created_at=now,
            expires_at=now + timedelta(days=rules.ttl_days),
            status=(
                InvitationStatus.queued if channel in delivered else InvitationStatus.sent
            ).value,
            sent_at=None if channel in delivered else now,
        )
        session.add(invitation)
        result.invitations.append(invitation)
    session.flush()
    return result


@dataclass(frozen=True, slots=True)
class Rates:
    """The response funnel of a survey, in counts and as shares of invitations."""

    invited: int
    sent: int
    bounced: int
    opened: int
    started: int
    completed: int

    @property
    def response_rate(self) -> float | None:
        delivered = self.sent - self.bounced
        return round(self.completed / delivered, 4) if delivered > 0 else None


def response_rates(
    session: Session, survey: Survey, *, by: str | None = None
) -> dict[str | None, Rates]:
    """Funnel counts for ``survey``, overall (key None) or per ``channel`` or ``stage``."""
    group = {"channel": Invitation.channel, "stage": Invitation.stage}.get(by or "")
    if by is not None and group is None:
        raise ValidationFailed("group response rates by 'channel' or 'stage'", field="by")
    sent_states = (InvitationStatus.sent.value, InvitationStatus.bounced.value)
    columns = [
        func.count(),
        func.count().filter(Invitation.status.in_(sent_states)),
        func.count().filter(Invitation.status == InvitationStatus.bounced.value),
        func.count(Invitation.opened_at),
        func.count(Invitation.started_at),
        func.count(Invitation.completed_at),
    ]
    stmt = select(*([group] if group is not None else []), *columns).where(
        Invitation.survey_id == survey.id
    )
    if group is not None:
        stmt = stmt.group_by(group)
    rates: dict[str | None, Rates] = {}
    for row in session.execute(stmt):
        values = list(row)
        name = values.pop(0) if group is not None else None
        rates[name] = Rates(*(int(v) for v in values))
    return rates


def due_invitations(session: Session, *, limit: int, now: datetime | None = None) -> list[int]:
    """Email invitations due now, oldest first: queued ones, and failed ones to retry."""
    now = now or utcnow()
    return list(
        session.scalars(
            select(Invitation.id)
            .where(
                or_(
                    Invitation.status == InvitationStatus.queued.value,
                    and_(
                        Invitation.status == InvitationStatus.failed.value,
                        Invitation.attempts < MAX_ATTEMPTS,
                    ),
                ),
                or_(Invitation.send_after.is_(None), Invitation.send_after <= now),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id)
            .limit(limit)
        )
    )
