"""Store interactions: validate, resolve each to its customer, insert in bulk, skip replays.

Every inbound path (Segment ingest, webhooks, the REST API, file imports, the demo) ends here,
so the rules are the same whichever way an interaction arrives. Valid records are stored even
when others in the same call are rejected; a ``message_id`` already stored is a duplicate,
not an error, which makes every retry safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.customers.resolution import Resolver, chunks
from cxloop.errors import CxloopError
from cxloop.interactions.catalog import Catalog, load_catalog
from cxloop.interactions.events import InteractionsRecorded
from cxloop.interactions.models import Interaction
from cxloop.interactions.records import InteractionIn, Rejected, StoreResult
from cxloop.privacy import record_consents
from cxloop.store.bulk import insert_tuples, is_sqlite, sqlite_time
from cxloop.store.uow import publish, savepoint

MAX_TEXT_CHARS = 100_000
# Two writers can both find an identity unknown and both create a profile for it: the second
# insert waits for the first to commit, then fails the unique constraint. Storing again then
# finds the identity the first wrote, so both land on one profile.
IDENTITY_RACE_ATTEMPTS = 3
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


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> list[str]:
    """Bulk insert; returns the message ids stored, skipping those stored before.

    ``ON CONFLICT DO NOTHING ... RETURNING`` does the replay check and the insert in one pass
    over the ``message_id`` index, and is also right when a concurrent writer stored the same
    message first. On SQLite the rows go to the driver in their storage form (store.bulk).
    """
    table = Interaction.__table__
    assert isinstance(table, Table)
    if not is_sqlite(session):
        stmt = (
            postgresql.insert(table)
            .on_conflict_do_nothing(index_elements=["message_id"])
            .returning(table.c.message_id)
        )
        return list(session.scalars(stmt, rows))
    # One batch shares its arrival time: format it once.
    received = {r["received_at"] for r in rows}
    received_text = {moment: sqlite_time(moment) for moment in received}
    values = [
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
            sqlite_time(r["occurred_at"]),
            received_text[r["received_at"]],
            r["text"],
            orjson.dumps(r["properties"]).decode(),
        )
        for r in rows
    ]
    returned = insert_tuples(
        session,
        table,
        COLUMNS,
        values,
        suffix=" ON CONFLICT (message_id) DO NOTHING RETURNING message_id",
    )
    return [m for (m,) in returned]


def store_interactions(
    session: Session, records: Sequence[InteractionIn], *, allow_weak_merge: bool = False
) -> StoreResult:
    """Store ``records``; returns counts, rejections by index and each record's customer.

    Each attempt runs in a savepoint, so one that lost a race for a new identity to a
    concurrent writer leaves nothing behind before the next resolves again.
    """
    attempts_left = IDENTITY_RACE_ATTEMPTS
    while True:
        attempts_left -= 1
        try:
            with savepoint(session):
                return _store(session, records, allow_weak_merge=allow_weak_merge)
        except IntegrityError as exc:
            if attempts_left == 0 or not _identity_taken(exc):
                raise


def _identity_taken(exc: IntegrityError) -> bool:
    return (exc.statement or "").lstrip().upper().startswith("INSERT INTO IDENTITIES")


def _store(
    session: Session, records: Sequence[InteractionIn], *, allow_weak_merge: bool
) -> StoreResult:
    result = StoreResult(customer_ids=[None] * len(records))
    if not records:
        return result
    catalog = load_catalog(session)
    explicit = _live_customers(session, {r.customer_id for r in records if r.customer_id})
    resolver = Resolver(session, allow_weak_merge=allow_weak_merge)
    resolver.prefetch(k for r in records for k in r.identities)

    seen: set[str] = set()
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
    stored = _insert_rows(session, rows) if rows else []
    result.stored = len(stored)
    result.duplicates += len(rows) - len(stored)
    fresh = set(stored)
    if len(fresh) < len(rows):
        for index, record, _customer in accepted:
            if record.message_id not in fresh:
                result.customer_ids[index] = None
    for index, record, _customer in accepted:
        landed = result.customer_ids[index]
        if record.consents and landed is not None:
            record_consents(
                session,
                customer_id=landed,
                decisions=record.consents,
                source=f"ingest (source {record.source_id})",
            )
    if stored:
        publish(
            session,
            InteractionsRecorded(
                message_ids=tuple(stored),
                with_text=tuple(
                    r["message_id"] for r in rows if r["text"] and r["message_id"] in fresh
                ),
            ),
        )
    return result


def store_outcomes(
    session: Session,
    outcomes: Sequence[InteractionIn | CxloopError],
    *,
    allow_weak_merge: bool = False,
) -> StoreResult:
    """Store what a reader produced, a record or the error that stopped it, by position.

    Read failures and storage rejections come back together, at their own index in
    ``outcomes``, so a caller reports one list whatever stage refused an item.
    """
    positions = [i for i, o in enumerate(outcomes) if not isinstance(o, CxloopError)]
    records = [o for o in outcomes if not isinstance(o, CxloopError)]
    stored = store_interactions(session, records, allow_weak_merge=allow_weak_merge)
    result = StoreResult(
        stored=stored.stored,
        duplicates=stored.duplicates,
        customer_ids=[None] * len(outcomes),
    )
    for position, customer_id in zip(positions, stored.customer_ids, strict=True):
        result.customer_ids[position] = customer_id
    result.rejected = sorted(
        [
            *(
                Rejected(index=i, detail=o.detail, field=o.extra.get("field"))
                for i, o in enumerate(outcomes)
                if isinstance(o, CxloopError)
            ),
            *(
                Rejected(index=positions[r.index], detail=r.detail, field=r.field)
                for r in stored.rejected
            ),
        ],
        key=lambda r: r.index,
    )
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
