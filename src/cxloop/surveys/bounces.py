"""Bounces reported after sending mark the invitation bounced (so response rates count it) and,
when permanent, stop further survey email to the customer (other channels stay open)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.outreach import Bounce
from cxloop.surveys.models import BOUNCE_OPT_OUT, Invitation, InvitationStatus, OptOut
from cxloop.types import utcnow

_OUR_MESSAGE_ID = re.compile(r"<survey-invitation-(\d+)@cxloop>")


def _invitation(session: Session, bounce: Bounce) -> Invitation | None:
    """The invitation the report is about: by the id cxloop put in the message, else the
    latest one sent to the address."""
    match = _OUR_MESSAGE_ID.search(bounce.message_id or "")
    invitation_id = bounce.invitation_id or (int(match.group(1)) if match else None)
    if invitation_id is not None:
        found = session.get(Invitation, invitation_id)
        if found is not None:
            return found
    return session.scalars(
        select(Invitation)
        .join(Customer, Customer.id == Invitation.customer_id)
        .where(
            Invitation.channel == "email",
            Invitation.status.in_((InvitationStatus.sent.value, InvitationStatus.bounced.value)),
            (Invitation.email == bounce.recipient) | (Customer.email == bounce.recipient),
        )
        .order_by(Invitation.sent_at.desc(), Invitation.id.desc())
        .limit(1)
    ).first()


def record_bounces(session: Session, bounces: Sequence[Bounce]) -> list[int]:
    """Apply each report once (a report received twice changes nothing); returns the ids of
    the invitations it concerned."""
    concerned: list[int] = []
    for bounce in bounces:
        invitation = _invitation(session, bounce)
        if invitation is None:
            continue
        concerned.append(invitation.id)
        if invitation.status != InvitationStatus.bounced.value:
            invitation.status = InvitationStatus.bounced.value
            invitation.bounced_at = utcnow()
            invitation.last_error = f"bounced later: {bounce.status}"[:500]
        if bounce.permanent and session.get(OptOut, invitation.customer_id) is None:
            session.add(OptOut(customer_id=invitation.customer_id, via=BOUNCE_OPT_OUT))
    session.flush()
    return concerned
