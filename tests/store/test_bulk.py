"""Driver-level bulk writes: rows read back through the ORM exactly as if SQLAlchemy wrote them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from cxloop.customers.models import Customer
from cxloop.store.bulk import (
    MAX_PARAMETERS,
    insert_returning_ids,
    is_sqlite,
    select_all,
    select_in,
    sqlite_time,
)


@pytest.fixture
def sqlite_session(session: Session) -> Session:
    if not is_sqlite(session):
        pytest.skip("the driver path is SQLite's; other databases go through SQLAlchemy")
    return session


def _customers() -> Table:
    table = Customer.__table__
    assert isinstance(table, Table)
    return table


def _row(n: int, created: datetime) -> dict[str, object]:
    return {
        "name": f"Customer {n}",
        "email": None,
        "phone": None,
        "traits": {"plan": "basic", "n": n, "tags": ["a", "é"]},
        "created_at": created,
        "updated_at": created,
    }


def test_times_are_stored_as_sqlalchemy_stores_them_whatever_their_zone() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 1, 10, 30, 0, 5, tzinfo=paris)
    assert sqlite_time(moment) == "2026-03-01 09:30:00.000005"


def test_inserted_rows_read_back_through_the_orm_unchanged(sqlite_session: Session) -> None:
    created = datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC)
    ids = insert_returning_ids(sqlite_session, _customers(), [_row(n, created) for n in range(3)])

    stored = {c.id: c for c in sqlite_session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    for n, customer_id in enumerate(ids):
        customer = stored[customer_id]
        assert customer.name == f"Customer {n}"
        assert customer.traits == {"plan": "basic", "n": n, "tags": ["a", "é"]}
        assert customer.created_at == created
        assert customer.merged_into_id is None


def test_ids_come_back_in_the_rows_order_across_statements(sqlite_session: Session) -> None:
    # More rows than one statement can bind, so the insert spans several statements.
    count = MAX_PARAMETERS // 6 * 2 + 7
    created = datetime(2026, 1, 1, tzinfo=UTC)
    ids = insert_returning_ids(
        sqlite_session, _customers(), [_row(n, created) for n in range(count)]
    )

    rows = sqlite_session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    names = {customer_id: name for customer_id, name in rows}
    assert [names[i] for i in ids] == [f"Customer {n}" for n in range(count)]


def test_lookups_in_chunks_find_every_value(sqlite_session: Session) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    ids = insert_returning_ids(sqlite_session, _customers(), [_row(n, created) for n in range(12)])

    found = select_in(
        sqlite_session, "SELECT id, name FROM customers WHERE id IN ({})", ids, chunk=5
    )
    assert sorted(found) == [(i, f"Customer {n}") for n, i in enumerate(ids)]
    assert select_all(sqlite_session, "SELECT count(*) FROM customers")[0][0] >= 12
