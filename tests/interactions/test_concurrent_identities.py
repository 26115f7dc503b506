"""Two writers storing the first events of the same new person at once, each in its own
unit of work on a real database: both events are kept, on one profile, with one identity."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select

from cxloop.customers import Identity, key
from cxloop.interactions import Interaction, store_interactions
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work
from tests.interactions.records_factory import record
from tests.store.databases import committed_url_fixture  # noqa: F401 - fixture

EMAIL = "lena.fischer@example.org"
# Long enough for the second writer to reach the identity insert that waits on the first.
SECOND_WRITER_HEAD_START_S = 0.5


@pytest.fixture
def engine(committed_url: str) -> Iterator[Engine]:
    engine = make_engine(committed_url)
    yield engine
    engine.dispose()


def test_a_new_identity_created_by_two_writers_at_once_lands_on_one_profile(
    engine: Engine,
) -> None:
    landed: dict[str, int | None] = {}
    failures: list[BaseException] = []

    def second_writer() -> None:
        try:
            with unit_of_work(engine) as session:
                [landed["second"]] = store_interactions(
                    session, [record(key("email", EMAIL), message_id="second")]
                ).customer_ids
        except BaseException as exc:
            failures.append(exc)

    with unit_of_work(engine) as session:
        [landed["first"]] = store_interactions(
            session, [record(key("email", EMAIL), message_id="first")]
        ).customer_ids
        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(SECOND_WRITER_HEAD_START_S)
    thread.join(timeout=60)

    assert failures == []
    assert landed["first"] is not None and landed["second"] == landed["first"]
    with unit_of_work(engine, write=False) as session:
        identities = select(func.count()).where(Identity.value == EMAIL)
        assert session.scalar(identities) == 1
        owners = select(Interaction.customer_id).where(
            Interaction.message_id.in_(["first", "second"])
        )
        assert set(session.scalars(owners)) == {landed["first"]}
