"""Identity resolution: one customer per person, whatever identity each message carries."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.customers import Customer, Identity, Merge, key
from cxloop.interactions import Interaction, store_interactions
from tests.interactions.records_factory import record

anon = lambda v: key("anonymous_id", v)  # noqa: E731
user = lambda v: key("user_id", v)  # noqa: E731
email = lambda v: key("email", v)  # noqa: E731


def timeline_owner(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Interaction.message_id, Interaction.customer_id)).all())


def test_anonymous_history_joins_the_person_who_identifies(session: Session) -> None:
    store_interactions(
        session, [record(anon("d1"), message_id="a"), record(anon("d1"), message_id="b")]
    )
    store_interactions(session, [record(user("u1"), email("Ann@Example.com"), message_id="c")])
    result = store_interactions(session, [record(anon("d1"), user("u1"), message_id="d")])
    owners = timeline_owner(session)
    assert len(set(owners.values())) == 1
    assert result.customer_ids == [owners["a"]]
    merge = session.scalars(select(Merge)).one()
    assert merge.interactions_moved >= 1
    assert session.get(Customer, merge.loser_id).merged_into_id == merge.winner_id  # type: ignore[union-attr]


def test_shared_device_never_joins_two_known_people(session: Session) -> None:
    store_interactions(session, [record(anon("family-tablet"), user("alice"), message_id="a")])
    store_interactions(session, [record(anon("family-tablet"), user("bob"), message_id="b")])
    owners = timeline_owner(session)
    assert owners["a"] != owners["b"]
    assert session.scalars(select(Merge)).all() == []


def test_a_shared_email_does_not_merge_two_user_accounts(session: Session) -> None:
    store_interactions(session, [record(user("u1"), email("family@example.com"), message_id="a")])
    store_interactions(session, [record(user("u2"), email("family@example.com"), message_id="b")])
    owners = timeline_owner(session)
    assert owners["a"] != owners["b"]


def test_email_and_phone_are_normalised_before_matching(session: Session) -> None:
    store_interactions(session, [record(email(" Ann@Example.COM "), message_id="a")])
    store_interactions(session, [record(key("email", "ann@example.com"), message_id="b")])
    store_interactions(
        session,
        [record(key("phone", "+44 20 7946 0958"), email("ann@example.com"), message_id="c")],
    )
    store_interactions(
        session, [record(key("phone", "020 7946 0958", region="GB"), message_id="d")]
    )
    assert len(set(timeline_owner(session).values())) == 1
    phones = session.scalars(select(Identity.value).where(Identity.kind == "phone")).all()
    assert phones == ["+442079460958"]


def test_traits_fill_the_profile(session: Session) -> None:
    result = store_interactions(
        session,
        [record(user("u9"), traits={"first_name": "Ana", "last_name": "Silva", "plan": "pro"})],
    )
    customer = session.get(Customer, result.customer_ids[0])
    assert customer is not None
    assert customer.name == "Ana Silva"
    assert customer.traits["plan"] == "pro"


# -- properties: merges lose nothing, duplicate nothing, and do not depend on order ---------

EMAILS = [f"p{i}@example.com" for i in range(6)]
PHONES = [f"+1415555010{i}" for i in range(6)]

message_identities = st.lists(
    st.one_of(
        st.sampled_from(EMAILS).map(email), st.sampled_from(PHONES).map(lambda p: key("phone", p))
    ),
    min_size=1,
    max_size=3,
)


def partition(session: Session, message_ids: list[str]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = defaultdict(set)
    for message_id, customer_id in timeline_owner(session).items():
        if message_id in message_ids:
            groups[customer_id].add(message_id)
    return {frozenset(g) for g in groups.values()}


def expected_components(messages: list[list]) -> set[frozenset[str]]:
    """Connected components of messages linked by shared identities (the specification)."""
    parent = list(range(len(messages)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    owner: dict = {}
    for i, keys in enumerate(messages):
        for k in keys:
            if k in owner:
                parent[find(i)] = find(owner[k])
            else:
                owner[k] = i
    groups: dict[int, set[str]] = defaultdict(set)
    for i in range(len(messages)):
        groups[find(i)].add(f"m{i}")
    return {frozenset(g) for g in groups.values()}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=st.lists(message_identities, min_size=1, max_size=8), data=st.data())
def test_merges_follow_shared_identities_in_any_order_and_batching(
    session: Session, messages: list[list], data: st.DataObject
) -> None:
    nested = session.begin_nested()
    try:
        order = data.draw(st.permutations(range(len(messages))))
        batch = data.draw(st.integers(min_value=1, max_value=len(messages)))
        records = [record(*messages[i], message_id=f"m{i}") for i in order]
        for start in range(0, len(records), batch):
            store_interactions(session, records[start : start + batch])
        ids = [f"m{i}" for i in range(len(messages))]
        stored = timeline_owner(session)
        assert sorted(m for m in stored if m in ids) == sorted(ids)  # none lost, none twice
        assert partition(session, ids) == expected_components(messages)
        live = {
            c
            for (c,) in session.execute(
                select(Customer.id).where(Customer.merged_into_id.is_(None))
            )
        }
        assert {stored[m] for m in ids} <= live
    finally:
        nested.rollback()
