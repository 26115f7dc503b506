"""Who may be invited now: consent, opt-outs and cool-downs, read once for a whole batch of
customers.

Both the API's invitations and the trigger dispatcher ask here, so every channel obeys the same
rules; a batch notes each invitation it makes, so a customer matched twice in one batch is
invited once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.hooks import get_plugin_manager
from cxloop.privacy import Purpose, consent_history, has_consent
from cxloop.surveys.models import BOUNCE_OPT_OUT, Invitation, OptOut, Survey


@dataclass(frozen=True, slots=True)
class FatigueRules:
    """At most one invitation per customer per ``cooldown_days`` across all surveys."""

    cooldown_days: int
    ttl_days: int


@dataclass(slots=True)
class Fatigue:
    rules: FatigueRules
    customers: dict[int, Customer]
    opted_out: set[int]
    email_bounced: set[int]
    """Customers whose address bounced for good: no more survey email, other channels stay."""
    no_consent: set[int]
    """Customers whose consent to the ``surveys`` purpose is withdrawn (or not given, when the
    privacy policy asks for a grant)."""
    recent: set[int]
    """Invited to any survey inside the global cool-down."""
    recent_by_survey: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    held_back: dict[int, str] = field(default_factory=dict)
    """Customers another domain asks us not to survey now (an open case), with its reason."""

    def reason(self, survey: Survey, customer_id: int, channel: str) -> str | None:
        """Why ``customer_id`` may not be invited to ``survey`` on ``channel`` (None: may)."""
        customer = self.customers.get(customer_id)
        if customer is None:
            return "no such customer"
        if customer.merged_into_id is not None:
            return "merged into another customer"
        if customer_id in self.opted_out:
            return "opted out of surveys"
        if customer_id in self.no_consent:
            return "no consent to surveys"
        if customer_id in self.held_back:
            return self.held_back[customer_id]
        if customer_id in self.recent:
            return f"already invited to a survey in the last {self.rules.cooldown_days} days"
        if customer_id in self.recent_by_survey[survey.id]:
            return f"already invited to this survey in the last {survey.cooldown_days} days"
        if channel == "email" and not customer.email:
            return "has no email address"
        if channel == "email" and customer_id in self.email_bounced:
            return "their email address bounced"
        return None

    def note(self, survey: Survey, customer_id: int) -> None:
        """An invitation was just made: the cool-downs start now."""
        if self.rules.cooldown_days > 0:
            self.recent.add(customer_id)
        if survey.cooldown_days:
            self.recent_by_survey[survey.id].add(customer_id)


def load_fatigue(
    session: Session,
    customer_ids: Iterable[int],
    surveys: Sequence[Survey],
    rules: FatigueRules,
    now: datetime,
) -> Fatigue:
    wanted = sorted(set(customer_ids))
    fatigue = Fatigue(
        rules=rules,
        customers={
            c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(wanted)))
        },
        opted_out=set(),
        email_bounced=set(),
        no_consent=_without_consent(session, wanted),
        recent=set(),
        held_back=_held_back(session, wanted),
    )
    for customer_id, via in session.execute(
        select(OptOut.customer_id, OptOut.via).where(OptOut.customer_id.in_(wanted))
    ):
        (fatigue.email_bounced if via == BOUNCE_OPT_OUT else fatigue.opted_out).add(customer_id)
    if rules.cooldown_days > 0:
        since = now - timedelta(days=rules.cooldown_days)
        fatigue.recent.update(
            session.scalars(
                select(Invitation.customer_id)
                .where(Invitation.customer_id.in_(wanted), Invitation.created_at >= since)
                .distinct()
            )
        )
    for survey in surveys:
        if survey.cooldown_days:
            since = now - timedelta(days=survey.cooldown_days)
            fatigue.recent_by_survey[survey.id].update(
                session.scalars(
                    select(Invitation.customer_id)
                    .where(
                        Invitation.survey_id == survey.id,
                        Invitation.customer_id.in_(wanted),
                        Invitation.created_at >= since,
                    )
                    .distinct()
                )
            )
    return fatigue


def _held_back(session: Session, customer_ids: list[int]) -> dict[int, str]:
    reasons: dict[int, str] = {}
    for answer in get_plugin_manager().hook.cxloop_do_not_survey(
        session=session, customer_ids=customer_ids
    ):
        for customer_id, reason in answer.items():
            reasons.setdefault(customer_id, reason)
    return reasons


def _without_consent(session: Session, customer_ids: list[int]) -> set[int]:
    """The privacy domain decides; its answer for customers with no recorded decision depends
    only on the purpose, so it is asked once for all of them, not once per customer."""
    latest: dict[int, bool] = {}
    for record in consent_history(session, customer_ids=customer_ids):
        if record.purpose == Purpose.surveys.value:
            latest[record.customer_id] = record.granted  # oldest first: the last one wins
    undecided = [c for c in customer_ids if c not in latest]
    if undecided and not has_consent(session, customer_id=undecided[0], purpose=Purpose.surveys):
        latest.update(dict.fromkeys(undecided, False))
    return {c for c, granted in latest.items() if not granted}
