"""An erasure and ingest for the same person at the same moment, each in its own unit of work on
a real database: nothing crashes, every event is kept once, and nothing written after the
erasure lands on (or revives) the erased profile."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import Engine, func, select

from cxloop.customers import Customer, Identity, key
from cxloop.interactions import Interaction, store_interactions
from cxloop.privacy import fulfil, open_request
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.interactions.records_factory import record
from tests.store.databases import committed_url_fixture  # noqa: F401 - fixture

NAME = "Noor Haddad"
INGESTERS = 4
ROUNDS = 3


@pytest.fixture
def engine(committed_url: str) -> Iterator[Engine]:
    engine = make_engine(committed_url)
    yield engine
    engine.dispose()


def _person(engine: Engine, email: str) -> int:
    with unit_of_work(engine) as session:
        customer = make_customer(session, name=NAME, email=email)
        for n in range(3):
            make_interaction(session, customer_id=customer.id, channel="email", text=f"{NAME} {n}")
        return customer.id


def _erase(engine: Engine, start: Barrier, customer_id: int, archives: Path) -> None:
    start.wait()
    with unit_of_work(engine) as session:
        request = open_request(
            session, customer_id=customer_id, kind="erasure", requested_by="dpo@co"
        )
        fulfil(session, request, archive_dir=archives, actor="dpo@co")


def _ingest(engine: Engine, start: Barrier, email: str, message_id: str) -> None:
    event = record(
        key("email", email),
        message_id=message_id,
        channel="chat",
        text=f"{NAME} writes again",
        traits={"name": NAME},
    )
    start.wait()
    with unit_of_work(engine) as session:
        [outcome] = store_interactions(session, [event]).customer_ids
        assert outcome is not None


def test_ingest_racing_an_erasure_never_revives_the_erased_profile(
    engine: Engine, tmp_path: Path
) -> None:
    for round_ in range(ROUNDS):
        email = f"noor.haddad+{round_}@example.net"
        erased_id = _person(engine, email)
        start = Barrier(INGESTERS + 1)
        with ThreadPoolExecutor(max_workers=INGESTERS + 1) as pool:
            futures = [pool.submit(_erase, engine, start, erased_id, tmp_path)]
            futures += [
                pool.submit(_ingest, engine, start, email, f"race-{round_}-{n}")
                for n in range(INGESTERS)
            ]
            for future in futures:
                future.result()  # re-raises whatever a thread raised

        with unit_of_work(engine, write=False) as session:
            erased = session.get(Customer, erased_id)
            assert erased is not None and (erased.name, erased.email) == (None, None)
            assert (
                session.scalar(select(func.count()).where(Identity.customer_id == erased_id)) == 0
            )
            assert (
                list(
                    session.scalars(
                        select(Interaction.text).where(
                            Interaction.customer_id == erased_id, Interaction.text.is_not(None)
                        )
                    )
                )
                == []
            ), "a text reached the erased profile"
            stored = select(func.count()).where(Interaction.message_id.like(f"race-{round_}-%"))
            assert session.scalar(stored) == INGESTERS
