"""Finding customers: by any identity they are known by, or by name and trait text.

People search with whatever they have at hand (an email from a complaint, a phone number
from a call, a user id from a log line), so one search box must try all of them. Exact
identity matches go through the indexed identity value; the free-text part (name, traits)
is a substring scan, good enough for a search box and paged by key, never by offset.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, cast

from sqlalchemy import ColumnElement, String, false, or_, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from cxloop.customers.identity import normalize_email, normalize_phone
from cxloop.customers.models import Customer, Identity, IdentityKind
from cxloop.customers.schemas import CustomerPage, CustomerRead, IdentityRead
from cxloop.errors import NotFound, ValidationFailed
from cxloop.store.crud import Page, keyset_page

MAX_MERGE_HOPS = 32
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}$")


def resolve_customer_id(session: Session, customer_id: int) -> int:
    """The id of the customer that ``customer_id`` now lives on, following merges.

    A merged-away id stays valid forever (links in emails, CRM notes, old exports), so every
    read goes through here. The hop limit guards against a corrupt merge cycle.
    """
    current = customer_id
    for _ in range(MAX_MERGE_HOPS):
        merged_into = session.execute(
            select(Customer.merged_into_id).where(Customer.id == current)
        ).one_or_none()
        if merged_into is None:
            raise NotFound(f"customer {customer_id} does not exist")
        if merged_into[0] is None:
            return current
        current = merged_into[0]
    raise NotFound(f"customer {customer_id} was merged in a loop; ask an admin to repair it")


def get_customer(session: Session, customer_id: int) -> Customer:
    """The surviving customer for ``customer_id`` (itself unless it was merged away)."""
    surviving = resolve_customer_id(session, customer_id)
    customer = session.get(Customer, surviving)
    if customer is None:  # pragma: no cover - resolve_customer_id saw it a moment ago
        raise NotFound(f"customer {customer_id} does not exist")
    return customer


def identities_by_customer(
    session: Session, customer_ids: Iterable[int]
) -> dict[int, list[Identity]]:
    """Identities of several customers in one query (a page of results, not N queries)."""
    ids = list(set(customer_ids))
    found: dict[int, list[Identity]] = defaultdict(list)
    if not ids:
        return found
    rows = session.scalars(
        select(Identity)
        .where(Identity.customer_id.in_(ids))
        .order_by(Identity.kind, Identity.namespace, Identity.value)
    )
    for identity in rows:
        found[identity.customer_id].append(identity)
    return found


def read_customer(
    session: Session, customer: Customer, identities: list[Identity] | None = None
) -> CustomerRead:
    """The outward shape of ``customer``, identities included."""
    if identities is None:
        identities = identities_by_customer(session, [customer.id]).get(customer.id, [])
    return CustomerRead(
        id=customer.id,
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        traits=dict(customer.traits or {}),
        created_at=customer.created_at,
        identities=[IdentityRead.model_validate(i) for i in identities],
    )


def _identity_conditions(query: str) -> list[ColumnElement[bool]]:
    """Exact identity matches ``query`` could be, each normalised as ingest normalises it."""
    conditions: list[ColumnElement[bool]] = []
    exact = {query}
    handle = query.lower().lstrip("@")
    if handle:
        exact.add(handle)  # social handles are stored lower-case without the '@'
    conditions.append(Identity.value.in_(sorted(exact)))
    namespace, sep, value = query.partition(":")
    if sep and namespace and value:  # "shopify:123" or "twitter:@ann"
        conditions.append(
            (Identity.namespace == namespace.strip().lower())
            & Identity.value.in_(sorted({value.strip(), value.strip().lower().lstrip("@")}))
        )
    if "@" in query.strip("@"):
        try:
            email = normalize_email(query)
        except ValidationFailed:
            pass
        else:
            conditions.append(
                (Identity.kind == IdentityKind.email.value) & (Identity.value == email)
            )
    if _PHONE_LIKE.match(query):
        try:
            phone = normalize_phone(query)
        except ValidationFailed:
            pass
        else:
            conditions.append(
                (Identity.kind == IdentityKind.phone.value) & (Identity.value == phone)
            )
    return conditions


def _profile_conditions(query: str) -> list[ColumnElement[bool]]:
    """Matches on the profile itself: its email or phone columns, its name, its traits."""
    conditions: list[ColumnElement[bool]] = []
    if "@" in query:
        with suppress(ValidationFailed):
            conditions.append(Customer.email == normalize_email(query))
    if _PHONE_LIKE.match(query):
        with suppress(ValidationFailed):
            conditions.append(Customer.phone == normalize_phone(query))
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions.append(Customer.name.ilike(pattern, escape="\\"))
    conditions.append(sql_cast(Customer.traits, String).ilike(pattern, escape="\\"))
    return conditions


def search_customers(
    session: Session, *, q: str | None = None, cursor: str | None = None, limit: int = 25
) -> Page[Customer]:
    """Surviving customers matching ``q`` (any identity, name or trait text), newest first.

    An empty ``q`` lists every customer. Merged-away customers never appear: their identities
    and timelines moved to the survivor, which is found instead.
    """
    if limit < 1:
        raise ValidationFailed("limit must be at least 1", field="limit")
    stmt = select(Customer).where(Customer.merged_into_id.is_(None))
    query = (q or "").strip()
    if query:
        identity_hits = select(Identity.customer_id).where(or_(*_identity_conditions(query)))
        stmt = stmt.where(or_(Customer.id.in_(identity_hits), *_profile_conditions(query), false()))
    return keyset_page(
        session,
        # crud.keyset_page is annotated for SQLAlchemy 2.0's Select[tuple[T]]; 2.1 says Select[T].
        cast(Any, stmt),
        keys=[Customer.id],
        descending=True,
        limit=limit,
        cursor=cursor,
        key_values=lambda c: [c.id],
        decode=_decode_id,
    )


def _decode_id(values: list[object]) -> list[int]:
    if not isinstance(values[0], int) or isinstance(values[0], bool):
        raise ValidationFailed("cursor is not one this API gave out", field="cursor")
    return [values[0]]


def search_page(
    session: Session, *, q: str | None = None, cursor: str | None = None, limit: int = 25
) -> CustomerPage:
    """:func:`search_customers` shaped for output, identities fetched in one query."""
    page = search_customers(session, q=q, cursor=cursor, limit=limit)
    identities = identities_by_customer(session, [c.id for c in page.items])
    return CustomerPage(
        items=[read_customer(session, c, identities.get(c.id, [])) for c in page.items],
        next_cursor=page.next_cursor,
    )
