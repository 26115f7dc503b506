"""Export every interaction to a file, streamed in id order (never the whole table in memory).

Each row carries ``customer_id`` and ``message_id`` so an export joins back to the customer
export and re-imports without duplicates; times are ISO 8601 in UTC. The columns are the
import's column names, so an exported file is also a valid import file.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.interactions.models import Interaction
from cxloop.store.tabular import Column

EXPORT_BATCH = 5_000
INTERACTION_COLUMNS = (
    Column("id", "int"),
    Column("message_id"),
    Column("customer_id", "int"),
    Column("occurred_at", "datetime"),
    Column("received_at", "datetime"),
    Column("channel"),
    Column("stage"),
    Column("direction"),
    Column("assisted", "bool"),
    Column("agent"),
    Column("department"),
    Column("type"),
    Column("text"),
    Column("properties", "json"),
    Column("source_id", "int"),
)


def iter_interactions(
    session: Session,
    *,
    batch_size: int = EXPORT_BATCH,
    customer_ids: Sequence[int] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every interaction (or those of ``customer_ids``) as a plain dict, by ascending id, read
    in keyset batches."""
    table = Interaction.__table__.c
    columns = [getattr(table, c.name) for c in INTERACTION_COLUMNS if c.name != "department"]
    stmt = (
        select(*columns, Department.slug.label("department"))
        .outerjoin(Department, Department.id == table.department_id)
        .order_by(table.id)
        .limit(batch_size)
    )
    if customer_ids is not None:
        stmt = stmt.where(table.customer_id.in_(list(customer_ids)))
    last = 0
    while rows := session.execute(stmt.where(table.id > last)).mappings().all():
        for row in rows:
            yield dict(row)
        last = rows[-1]["id"]
