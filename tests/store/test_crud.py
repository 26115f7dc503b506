"""How many rows a bulk UPDATE or DELETE touched, whatever kind of result it gave back."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cxloop.customers import Customer
from cxloop.store.crud import rows_affected
from tests.customers.factories import make_customer


def test_an_update_or_delete_counts_the_rows_it_matched(session: Session) -> None:
    kept, *renamed = (make_customer(session) for _ in range(3))
    ids = [c.id for c in renamed]

    updated = session.execute(update(Customer).where(Customer.id.in_(ids)).values(name="Renamed"))
    nothing = session.execute(delete(Customer).where(Customer.id == -1))
    deleted = session.execute(delete(Customer).where(Customer.id.in_(ids)))

    assert (rows_affected(updated), rows_affected(nothing), rows_affected(deleted)) == (2, 0, 2)
    assert session.get(Customer, kept.id) is not None


def test_a_result_without_a_count_is_zero(session: Session) -> None:
    customer = make_customer(session)

    returned = session.execute(
        update(Customer).where(Customer.id == customer.id).values(name="x").returning(Customer.id)
    )

    assert list(returned.scalars()) == [customer.id]
    assert rows_affected(returned) == 0
    assert rows_affected(object()) == 0
