"""Customers and identities inserted straight through the ORM (no ingest needed)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from cxloop.customers import Customer, Identity

_seq = itertools.count(1)


def make_customer(
    session: Session,
    *,
    name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    traits: dict[str, Any] | None = None,
    identities: list[tuple[str, str] | tuple[str, str, str]] | None = None,
) -> Customer:
    """A customer; ``identities`` are (kind, value) or (kind, value, namespace).

    The profile email and phone are also recorded as identities, as ingest does.
    """
    n = next(_seq)
    customer = Customer(
        name=name if name is not None else f"Customer {n}",
        email=email,
        phone=phone,
        traits=traits or {},
    )
    session.add(customer)
    session.flush()
    wanted = list(identities or [])
    if email:
        wanted.append(("email", email))
    if phone:
        wanted.append(("phone", phone))
    for item in wanted:
        kind, value = item[0], item[1]
        namespace = item[2] if len(item) > 2 else ""
        session.add(Identity(customer_id=customer.id, kind=kind, value=value, namespace=namespace))
    session.flush()
    return customer


def merge_into(session: Session, loser: Customer, winner: Customer) -> None:
    """Mark ``loser`` as merged into ``winner`` (what identity resolution does, minus moving)."""
    loser.merged_into_id = winner.id
    session.flush()
