"""Export every live customer with traits and identities, streamed in id order.

Merged-away customers are left out: their identities and timeline now belong to the
survivor. ``identities`` is a JSON list of ``{kind, namespace, value}``, which the customer
import reads back, so an export re-imports onto the same people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers.models import Customer, Identity
from cxloop.store.tabular import Column

EXPORT_BATCH = 2_000
CUSTOMER_COLUMNS = (
    Column("customer_id", "int"),
    Column("name"),
    Column("email"),
    Column("phone"),
    Column("created_at", "datetime"),
    Column("updated_at", "datetime"),
    Column("traits", "json"),
    Column("identities", "json"),
)


def _identities(session: Session, ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = defaultdict(list)
    rows = session.execute(
        select(Identity.customer_id, Identity.kind, Identity.namespace, Identity.value)
        .where(Identity.customer_id.in_(ids))
        .order_by(Identity.customer_id, Identity.kind, Identity.namespace, Identity.value)
    )
    for customer_id, kind, namespace, value in rows:
        found[customer_id].append({"kind": kind, "namespace": namespace, "value": value})
    return found


def iter_customers(session: Session, *, batch_size: int = EXPORT_BATCH) -> Iterator[dict[str, Any]]:
    """Every live customer as a plain dict, by ascending id, read in keyset batches."""
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.email,
            Customer.phone,
            Customer.created_at,
            Customer.updated_at,
            Customer.traits,
        )
        .where(Customer.merged_into_id.is_(None))
        .order_by(Customer.id)
        .limit(batch_size)
    )
    last = 0
    while rows := session.execute(stmt.where(Customer.id > last)).all():
        identities = _identities(session, [row.id for row in rows])
        for row in rows:
            record = row._asdict()
            record["customer_id"] = record.pop("id")
            record["identities"] = identities.get(row.id, [])
            yield record
        last = rows[-1].id
