"""The customers domain's privacy hooks: the profile, its identities and its merges."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from cxloop.customers.models import Customer, Identity, Merge
from cxloop.hooks import hookimpl
from cxloop.store.crud import rows_affected


@hookimpl
def cxloop_export_customer_data(session: Session, customer_ids: list[int]) -> dict[str, Any]:
    customers = session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
    identities = session.scalars(select(Identity).where(Identity.customer_id.in_(customer_ids)))
    merges = session.scalars(
        select(Merge).where(
            or_(Merge.winner_id.in_(customer_ids), Merge.loser_id.in_(customer_ids))
        )
    )
    return {
        "profiles": [
            {
                "id": c.id,
                "name": c.name,
                "email": c.email,
                "phone": c.phone,
                "traits": c.traits,
                "created_at": c.created_at,
                "merged_into_id": c.merged_into_id,
            }
            for c in customers
        ],
        "identities": [
            {"kind": i.kind, "namespace": i.namespace, "value": i.value, "since": i.created_at}
            for i in identities
        ],
        "merges": [
            {
                "winner_id": m.winner_id,
                "loser_id": m.loser_id,
                "reason": m.reason,
                "at": m.created_at,
            }
            for m in merges
        ],
    }


@hookimpl
def cxloop_erase_customer_data(session: Session, customer_ids: list[int]) -> dict[str, int]:
    """Profiles are emptied, never deleted: the id stays so counted rows keep their customer,
    but no identity points to it any more, so later events start a new profile."""
    identities = session.execute(
        delete(Identity)
        .where(Identity.customer_id.in_(customer_ids))
        .execution_options(synchronize_session=False)
    )
    profiles = session.execute(
        update(Customer)
        .where(Customer.id.in_(customer_ids))
        .values(name=None, email=None, phone=None, traits={})
        .execution_options(synchronize_session=False)
    )
    return {
        "identities": rows_affected(identities),
        "profiles": rows_affected(profiles),
    }
