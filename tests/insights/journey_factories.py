"""Customers with timelines of known steps, for the journey and driver figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests.customers.factories import make_customer
from tests.insights.factories import MONDAY
from tests.interactions.factories import make_interaction

Step = tuple[str, str, float]  # channel, stage, hours after MONDAY


def customer_with(session: Session, steps: list[Step], **extra: Any) -> int:
    """A customer whose interactions are these steps (``extra`` for every one of them)."""
    customer = make_customer(session)
    for channel, stage, hours in steps:
        make_interaction(
            session,
            customer_id=customer.id,
            channel=channel,
            stage=stage,
            occurred_at=MONDAY + timedelta(hours=hours),
            **extra,
        )
    return customer.id


def make_call(session: Session, customer_id: int, at: datetime) -> None:
    """The customer phoned the company at ``at``."""
    make_interaction(session, customer_id=customer_id, channel="phone", type="call", occurred_at=at)
