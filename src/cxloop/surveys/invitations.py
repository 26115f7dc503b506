"""Inviting customers (under the fatigue rules of :mod:`cxloop.surveys.fatigue`), opting them
out, and the response funnel the invitations' times tell.
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
from cxloop.privacy import Purpose, record_consent
from cxloop.surveys.fatigue import FatigueRules, load_fatigue
from cxloop.surveys.models import BOUNCE_OPT_OUT, Invitation, InvitationStatus, OptOut, Survey
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


def opt_out(session: Session, *, customer_id: int, via: str = "link") -> None:
    """Stop surveying a customer on every channel (repeating it changes nothing). The
    withdrawal is also recorded as consent, so any other sender asking the privacy domain
    about the ``surveys`` purpose hears it too."""
    existing = session.get(OptOut, customer_id)
    if existing is None or existing.via == BOUNCE_OPT_OUT:
        if existing is None:
            session.add(OptOut(customer_id=customer_id, via=via))
        else:  # an address that bounced stopped email only; the person now stops everything
            existing.via = via
        record_consent(
            session,
            customer_id=customer_id,
            purpose=Purpose.surveys,
            granted=False,
            source=f"survey opt-out ({via})",
        )
        session.flush()


def opted_out(session: Session, customer_id: int) -> bool:
    """Whether the customer asked not to be surveyed (a bounced address is not a choice)."""
    existing = session.get(OptOut, customer_id)
    return existing is not None and existing.via != BOUNCE_OPT_OUT


def check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise ValidationFailed(
            f"cannot invite on '{channel}' (channels: {', '.join(sorted(CHANNELS))})",
            field="channel",
        )


def new_invitation(
    session: Session,
    *,
    survey: Survey,
    customer: Customer,
    channel: str,
    rules: FatigueRules,
    now: datetime,
    delivered: frozenset[str],
    stage: str | None = None,
    trigger_interaction_id: int | None = None,
) -> Invitation:
    """One invitation; on a ``delivered`` channel it waits for cxloop to send it, on the
    others it counts as sent at once (the caller hands the link out itself)."""
    invitation = Invitation(
        survey_id=survey.id,
        customer_id=customer.id,
        channel=channel,
        stage=stage,
        email=customer.email if channel == "email" else None,
        trigger_interaction_id=trigger_interaction_id,
        created_at=now,
        expires_at=now + timedelta(days=rules.ttl_days),
        status=(InvitationStatus.queued if channel in delivered else InvitationStatus.sent).value,
        sent_at=None if channel in delivered else now,
    )
    session.add(invitation)
    return invitation


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
    """Create invitations for those customers the rules allow; say why the others were not."""
    check_channel(channel)
    now = now or utcnow()
    wanted = list(dict.fromkeys(customer_ids))
    fatigue = load_fatigue(session, wanted, [survey], rules, now)
    if trigger_interaction_id is not None and stage is None:
        stage = session.scalar(
            select(Interaction.stage).where(Interaction.id == trigger_interaction_id)
        )
    result = InviteResult()
    for customer_id in wanted:
        reason = fatigue.reason(survey, customer_id, channel)
        if reason is not None:
            result.suppressed.append(Suppressed(customer_id=customer_id, reason=reason))
            continue
        invitation = new_invitation(
            session,
            survey=survey,
            customer=fatigue.customers[customer_id],
            channel=channel,
            rules=rules,
            now=now,
            delivered=delivered,
            stage=stage,
            trigger_interaction_id=trigger_interaction_id,
        )
        fatigue.note(survey, customer_id)
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
