"""Store interactions: validate, resolve each to its customer, insert in bulk, skip replays.

Every inbound path (Segment ingest, webhooks, the REST API, file imports, the demo) ends here,
so the rules are the same whichever way an interaction arrives. Valid records are stored even
when others in the same call are rejected; a ``message_id`` already stored is a duplicate,
not an error, which makes every retry safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import Table, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.customers.resolution import Resolver, chunks
from cxloop.errors import CxloopError
from cxloop.interactions.catalog import Catalog, load_catalog
from cxloop.interactions.events import InteractionsRecorded
from cxloop.interactions.models import Interaction
from cxloop.interactions.records import InteractionIn, Rejected, StoreResult
from cxloop.store.uow import publish

MAX_TEXT_CHARS = 100_000
DIRECTIONS = frozenset({"in", "out"})


def _problem(record: InteractionIn, catalog: Catalog) -> tuple[str, str] | None:
    """Why ``record`` cannot be stored (field, reason), or None when it can."""
    if not record.message_id or len(record.message_id) > 200:
        return "message_id", "message_id must have 1 to 200 characters"
    if not record.type or len(record.type) > 200:
        return "type", "type must have 1 to 200 characters"
    if record.channel not in catalog.channels:
        known = ", ".join(sorted(catalog.channels))
        return "channel", f"unknown channel '{record.channel}' (configured: {known})"
    if record.stage is not None and record.stage not in catalog.stages:
        known = ", ".join(sorted(catalog.stages))
        return "stage", f"unknown journey stage '{record.stage}' (configured: {known})"
    if record.direction not in DIRECTIONS:
        return "direction", "direction must be 'in' or 'out'"
    if record.department is not None and record.department not in catalog.departments:
        return "department", f"unknown department '{record.department}'"
    if record.text is not None and len(record.text) > MAX_TEXT_CHARS:
        return "text", f"text is longer than {MAX_TEXT_CHARS} characters"
    if record.customer_id is None and not record.identities:
        return "identities", "the record names no customer and carries no identity"
    for moment in (record.occurred_at, record.received_at):
        if moment.tzinfo is None:
            return "occurred_at", "times must carry a time zone"
    return None


def _existing_message_ids(session: Session, message_ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    column = Interaction.__table__.c.message_id
    for part in chunks(sorted(set(message_ids))):
        found.update(session.scalars(select(column).where(column.in_(part))))
    return found


def _live_customers(session: Session, customer_ids: set[int]) -> dict[int, int]:
    """Explicit customer ids, followed through merges; unknown ids are absent."""
    live: dict[int, int] = {}
    for part in chunks(sorted(customer_ids)):
        rows = session.execute(
            select(Customer.id, Customer.merged_into_id).where(Customer.id.in_(part))
        )
        live.update({cid: merged or cid for cid, merged in rows})
    return live


COLUMNS = (
    "message_id",
    "customer_id",
    "source_id",
    "channel",
    "stage",
    "direction",
    "assisted",
    "agent",
    "department_id",
    "type",
    "occurred_at",
    "received_at",
    "text",
    "properties",
)


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Bulk insert, skipping a message id a concurrent writer stored first.

    On SQLite the rows go straight to the driver's ``executemany`` with values already in
    the column's storage form (what SQLAlchemy would write, minus its per-value overhead,
    which dominated ingest). The statement itself is still compiled by SQLAlchemy.
    """
    table = Interaction.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect
    if dialect.name != "sqlite":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=["message_id"])
        session.execute(stmt, rows)
        return
    compiled = _sqlite_insert_sql(dialect)
    params = [
        (
            r["message_id"],
            r["customer_id"],
            r["source_id"],
            r["channel"],
            r["stage"],
            r["direction"],
            1 if r["assisted"] else 0,
            r["agent"],
            r["department_id"],
            r["type"],
            _sqlite_time(r["occurred_at"]),
            _sqlite_time(r["received_at"]),
            r["text"],
            orjson.dumps(r["properties"]).decode(),
        )
        for r in rows
    ]
    session.connection().exec_driver_sql(compiled, params)


@lru_cache(maxsize=1)
def _sqlite_insert_sql(dialect: Dialect) -> str:
    table = Interaction.__table__
    assert isinstance(table, Table)
    stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["message_id"])
    values: dict[str, Any] = {name: bindparam(name) for name in COLUMNS}
    return str(stmt.values(values).compile(dialect=dialect, column_keys=list(COLUMNS)))


def _sqlite_time(moment: datetime) -> str:
    """The text form SQLAlchemy's SQLite DateTime stores: naive UTC with microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def store_interactions(
    session: Session, records: Sequence[InteractionIn], *, allow_weak_merge: bool = False
) -> StoreResult:
    """Store ``records``; returns counts, rejections by index and each record's customer."""
    result = StoreResult(customer_ids=[None] * len(records))
    if not records:
        return result
    catalog = load_catalog(session)
    seen = _existing_message_ids(session, [r.message_id for r in records])
    explicit = _live_customers(session, {r.customer_id for r in records if r.customer_id})
    resolver = Resolver(session, allow_weak_merge=allow_weak_merge)
    resolver.prefetch(k for r in records if r.message_id not in seen for k in r.identities)

    accepted: list[tuple[int, InteractionIn, int]] = []
    for index, record in enumerate(records):
        if record.message_id in seen:
            result.duplicates += 1
            continue
        problem = _problem(record, catalog)
        if problem is None and record.customer_id and record.customer_id not in explicit:
            problem = ("customer_id", f"customer {record.customer_id} does not exist")
        if problem is not None:
            result.rejected.append(Rejected(index=index, field=problem[0], detail=problem[1]))
            continue
        try:
            customer = (
                explicit[record.customer_id]
                if record.customer_id is not None
                else resolver.resolve(
                    record.identities, traits=record.traits, source_id=record.source_id
                )
            )
        except CxloopError as exc:
            field = exc.extra.get("field")
            result.rejected.append(Rejected(index=index, field=field, detail=exc.detail))
            continue
        seen.add(record.message_id)
        accepted.append((index, record, customer))

    resolver.flush()
    rows = []
    for index, record, customer in accepted:
        customer_id = resolver.customer_id(customer)
        result.customer_ids[index] = customer_id
        rows.append(_row(record, customer_id, catalog))
    if rows:
        _insert_rows(session, rows)
        publish(
            session,
            InteractionsRecorded(
                message_ids=tuple(r["message_id"] for r in rows),
                with_text=tuple(r["message_id"] for r in rows if r["text"]),
            ),
        )
    result.stored = len(rows)
    return result


def _row(record: InteractionIn, customer_id: int, catalog: Catalog) -> dict[str, Any]:
    return {
        "message_id": record.message_id,
        "customer_id": customer_id,
        "source_id": record.source_id,
        "channel": record.channel,
        "stage": record.stage,
        "direction": record.direction,
        "assisted": record.assisted,
        "agent": record.agent,
        "department_id": catalog.departments.get(record.department) if record.department else None,
        "type": record.type,
        "occurred_at": record.occurred_at,
        "received_at": record.received_at,
        "text": record.text,
        "properties": record.properties,
    }
