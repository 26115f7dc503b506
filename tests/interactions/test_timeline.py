from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.interactions import Interaction, journey_summary, timeline
from tests.customers.factories import make_customer
from tests.interactions.factories import START, make_interaction, make_timeline


def walk(session: Session, customer_id: int, limit: int, **filters: Any) -> list[Interaction]:
    seen: list[Interaction] = []
    cursor = None
    while True:
        page = timeline(session, customer_id=customer_id, cursor=cursor, limit=limit, **filters)
        assert len(page.items) <= limit
        seen += page.items
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def newest_first(items: list[Interaction]) -> list[int]:
    return [i.id for i in sorted(items, key=lambda i: (i.occurred_at, i.id), reverse=True)]


def test_pages_cover_every_interaction_once_newest_first(session: Session) -> None:
    customer = make_customer(session)
    other = make_customer(session)
    made = make_timeline(session, customer_id=customer.id, count=37, same_time_every=4)
    make_timeline(session, customer_id=other.id, count=5)
    seen = walk(session, customer.id, limit=5)
    assert [i.id for i in seen] == newest_first(made)
    assert len({i.id for i in seen}) == 37


def test_an_exact_page_has_no_dangling_cursor(session: Session) -> None:
    customer = make_customer(session)
    make_timeline(session, customer_id=customer.id, count=6)
    first = timeline(session, customer_id=customer.id, limit=3)
    second = timeline(session, customer_id=customer.id, limit=3, cursor=first.next_cursor)
    assert len(second.items) == 3
    assert second.next_cursor is None


def test_filters_by_channels_stages_type_and_time(session: Session) -> None:
    customer = make_customer(session)
    made = make_timeline(session, customer_id=customer.id, count=40)

    by_channel = walk(session, customer.id, 4, channels=["email", "phone"])
    assert [i.id for i in by_channel] == newest_first(
        [i for i in made if i.channel in {"email", "phone"}]
    )
    by_stage = walk(session, customer.id, 4, stages=["purchase"])
    assert by_stage and {i.stage for i in by_stage} == {"purchase"}
    assert len(by_stage) == sum(1 for i in made if i.stage == "purchase")

    orders = walk(session, customer.id, 3, type="Order Completed")
    assert len(orders) == 10

    since, until = START + timedelta(hours=10), START + timedelta(hours=20)
    window = walk(session, customer.id, 3, since=since, until=until)
    assert [i.occurred_at for i in window] == [START + timedelta(hours=h) for h in range(19, 9, -1)]

    both = walk(session, customer.id, 2, channels=["web"], stages=["awareness"])
    assert {(i.channel, i.stage) for i in both} == {("web", "awareness")}


def test_limits_and_cursors_are_validated(session: Session) -> None:
    customer = make_customer(session)
    with pytest.raises(ValidationFailed):
        timeline(session, customer_id=customer.id, limit=0)
    with pytest.raises(ValidationFailed):
        timeline(session, customer_id=customer.id, limit=201)
    with pytest.raises(ValidationFailed):
        timeline(session, customer_id=customer.id, cursor="WzEsMl0")  # [1,2]: not ours


def test_journey_summary_counts_and_orders_stages(session: Session) -> None:
    customer = make_customer(session)
    t = START
    make_interaction(
        session, customer_id=customer.id, channel="web", stage="purchase", occurred_at=t
    )
    make_interaction(
        session,
        customer_id=customer.id,
        channel="email",
        stage="awareness",
        occurred_at=t + timedelta(days=1),
    )
    make_interaction(
        session,
        customer_id=customer.id,
        channel="email",
        stage="purchase",
        occurred_at=t + timedelta(days=3),
    )
    make_interaction(
        session,
        customer_id=customer.id,
        channel="chat",
        stage=None,
        occurred_at=t + timedelta(days=4),
    )
    summary = journey_summary(session, customer.id)
    assert summary.total == 4
    assert summary.first_at == t
    assert summary.last_at == t + timedelta(days=4)
    assert [(s.stage, s.count) for s in summary.stages] == [
        ("awareness", 1),
        ("purchase", 2),
        (None, 1),
    ]
    purchase = summary.stages[1]
    assert (purchase.name, purchase.first_at, purchase.last_at) == (
        "Purchase",
        t,
        t + timedelta(days=3),
    )
    assert [(c.channel, c.name, c.count) for c in summary.channels] == [
        ("email", "Email", 2),
        ("chat", "Chat", 1),
        ("web", "Web", 1),
    ]


def test_journey_summary_of_a_quiet_customer_is_empty(session: Session) -> None:
    summary = journey_summary(session, make_customer(session).id)
    assert (summary.total, summary.first_at, summary.stages, summary.channels) == (0, None, [], [])


def _explain(session: Session, run: Any) -> str:
    """The database's plan for the timeline query that ``run`` executes."""
    captured: list[tuple[str, Any]] = []
    connection = session.connection()

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "FROM interactions" in statement and not captured:
            captured.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(str(r[-1]) for r in rows)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(str(r[0]) for r in rows)


def test_timeline_pages_walk_the_timeline_index_without_sorting(session: Session) -> None:
    customer = make_customer(session)
    make_timeline(session, customer_id=customer.id, count=30)
    first = timeline(session, customer_id=customer.id, limit=5)
    plan = _explain(
        session,
        lambda: timeline(
            session, customer_id=customer.id, limit=5, cursor=first.next_cursor, channels=["web"]
        ),
    )
    assert "ix_interactions_timeline" in plan
    assert "TEMP B-TREE" not in plan  # SQLite: no sort step
    assert "Sort" not in plan  # PostgreSQL: no sort node
    assert "OFFSET" not in plan.upper()
