from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cxloop.customers import get_customer, resolve_customer_id, search_customers, search_page
from cxloop.errors import NotFound, ValidationFailed
from tests.customers.factories import make_customer, merge_into


def ids(session: Session, q: str | None) -> list[int]:
    return [c.id for c in search_customers(session, q=q, limit=100).items]


@pytest.fixture
def ann(session: Session):
    return make_customer(
        session,
        name="Ann Lee",
        email="ann@example.com",
        phone="+14155550100",
        traits={"plan": "Gold", "city": "Lisbon"},
        identities=[
            ("user_id", "u-123"),
            ("anonymous_id", "anon-9f8e"),
            ("external", "cus_777", "stripe"),
            ("social", "annlee", "twitter"),
        ],
    )


@pytest.fixture
def bob(session: Session):
    return make_customer(
        session, name="Bob Stone", email="bob@example.org", traits={"plan": "free"}
    )


@pytest.mark.parametrize(
    "query",
    [
        "ann@example.com",
        "  ANN@Example.COM ",  # normalised like ingest normalises it
        "+1 415 555 0100",
        "+1 (415) 555-0100",
        "u-123",
        "anon-9f8e",
        "cus_777",
        "stripe:cus_777",
        "@AnnLee",
        "twitter:@annlee",
        "ann lee",
        "lisbon",  # trait text
    ],
)
def test_finds_a_customer_by_any_identity_or_text(session: Session, ann, bob, query: str) -> None:
    assert ids(session, query) == [ann.id]


def test_trait_text_can_match_several_customers_newest_first(session: Session, ann, bob) -> None:
    assert ids(session, "plan") == [bob.id, ann.id]


def test_no_match_is_an_empty_page(session: Session, ann) -> None:
    page = search_customers(session, q="nobody@nowhere.example")
    assert page.items == []
    assert page.next_cursor is None


def test_like_wildcards_in_the_query_are_literal(session: Session, ann, bob) -> None:
    assert ids(session, "%") == []
    assert ids(session, "_") == []


def test_empty_query_lists_everyone_newest_first_without_merged(session: Session) -> None:
    made = [make_customer(session, name=f"P{i}") for i in range(5)]
    merge_into(session, made[1], made[3])
    listed = ids(session, "")
    mine = [c.id for c in made]
    assert [i for i in listed if i in mine] == [mine[4], mine[3], mine[2], mine[0]]


def test_pages_cover_every_match_once(session: Session) -> None:
    made = {make_customer(session, name=f"Pager {i}").id for i in range(11)}
    seen: list[int] = []
    cursor = None
    while True:
        page = search_customers(session, q="pager", cursor=cursor, limit=4)
        seen += [c.id for c in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == sorted(made, reverse=True)


def test_a_foreign_cursor_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed):
        search_customers(session, cursor="not-a-cursor")


def test_search_page_carries_identities(session: Session, ann) -> None:
    page = search_page(session, q="u-123")
    (found,) = page.items
    kinds = {(i.kind, i.namespace, i.value) for i in found.identities}
    assert ("external", "stripe", "cus_777") in kinds
    assert ("email", "", "ann@example.com") in kinds
    assert found.traits["city"] == "Lisbon"


def test_get_customer_follows_merges_to_the_survivor(session: Session) -> None:
    first, second, survivor = (make_customer(session) for _ in range(3))
    merge_into(session, first, second)
    merge_into(session, second, survivor)
    assert get_customer(session, first.id).id == survivor.id
    assert resolve_customer_id(session, second.id) == survivor.id
    assert get_customer(session, survivor.id).id == survivor.id


def test_unknown_customer_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        get_customer(session, 987654321)
