"""The shared ingest path: valid records stored, invalid ones reported, replays skipped."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cxloop.accounts import ensure_department
from cxloop.customers import key
from cxloop.interactions import Interaction, store_interactions
from tests.interactions.records_factory import record

ann = key("user_id", "ann")


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Interaction)) or 0


def test_valid_records_are_stored_and_invalid_ones_reported_by_index(session: Session) -> None:
    result = store_interactions(
        session,
        [
            record(ann),
            record(ann, channel="telepathy"),
            record(ann, stage="nirvana"),
            record(ann, direction="sideways"),
            record(),
            record(ann, department="nowhere"),
            record(ann, stage="support"),
        ],
    )
    assert result.stored == 2
    assert [(r.index, r.field) for r in result.rejected] == [
        (1, "channel"),
        (2, "stage"),
        (3, "direction"),
        (4, "identities"),
        (5, "department"),
    ]
    assert "telepathy" in result.rejected[0].detail
    assert count(session) == 2


def test_replaying_records_creates_no_duplicates(session: Session) -> None:
    batch = [
        record(ann, message_id="r1"),
        record(ann, message_id="r2"),
        record(ann, message_id="r1"),
    ]
    first = store_interactions(session, batch)
    second = store_interactions(session, batch)
    assert (first.stored, first.duplicates) == (2, 1)
    assert (second.stored, second.duplicates) == (0, 3)
    assert count(session) == 2


def test_assisted_interaction_keeps_agent_and_department(session: Session) -> None:
    department = ensure_department(session, slug="billing")
    store_interactions(
        session,
        [
            record(
                ann,
                message_id="call-1",
                channel="phone",
                stage="support",
                assisted=True,
                agent="Sam",
                department="billing",
                text="Customer asked about a double charge.",
            )
        ],
    )
    stored = session.scalars(select(Interaction).where(Interaction.message_id == "call-1")).one()
    assert (stored.assisted, stored.agent, stored.department_id) == (True, "Sam", department.id)
    assert stored.text == "Customer asked about a double charge."
    assert stored.occurred_at.tzinfo is not None


def test_explicit_customer_id_is_checked(session: Session) -> None:
    first = store_interactions(session, [record(ann)])
    customer_id = first.customer_ids[0]
    assert customer_id is not None
    result = store_interactions(
        session, [record(customer_id=customer_id), record(customer_id=999_999_999)]
    )
    assert result.customer_ids[0] == customer_id
    assert [(r.index, r.field) for r in result.rejected] == [(1, "customer_id")]
