"""Cases in a given state, written outright (deadlines, pauses, owner), for queue and page
tests that need many cases in known places rather than cases opened by rules."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from sqlalchemy.orm import Session

from cxloop.accounts import Department, User
from cxloop.cases import TRIAGE, Case
from cxloop.customers import Customer
from tests.cases.factories import MONDAY_9AM_PARIS
from tests.customers.factories import make_customer

_seq = itertools.count(1)


def make_queued_case(
    session: Session,
    *,
    department: Department | None = None,
    customer: Customer | None = None,
    subject: str | None = None,
    status: str = "open",
    priority: str = "normal",
    assignee: User | None = None,
    tags: list[str] | None = None,
    **fields: Any,
) -> Case:
    n = next(_seq)
    case = Case(
        customer_id=(customer or make_customer(session)).id,
        subject=subject or f"queued case {n}",
        status=status,
        priority=priority,
        department_id=department.id if department else None,
        queue=fields.pop("queue", "" if department else TRIAGE),
        assignee_id=assignee.id if assignee else None,
        channel=fields.pop("channel", "email"),
        tags=tags or [],
        routing={},
        reply_token=secrets.token_hex(10),
        paused_minutes=0.0,
        created_at=fields.pop("created_at", MONDAY_9AM_PARIS),
        **fields,
    )
    session.add(case)
    session.flush()
    return case
