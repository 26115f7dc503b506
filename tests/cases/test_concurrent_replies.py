"""Two agents answering one case at the same moment, each in their own unit of work on a real
database: both answers are kept and both reach the customer."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import Engine, select

from cxloop.cases import CaseMessage, deliver_messages, reply
from cxloop.settings import Settings
from cxloop.store.engine import make_engine
from cxloop.store.uow import unit_of_work
from tests.cases.factories import directory, make_agent, make_case, make_department
from tests.customers.factories import make_customer
from tests.outreach.smtp_server import Inbox
from tests.store.databases import committed_url_fixture  # noqa: F401 - fixture


@pytest.fixture
def engine(committed_url: str) -> Iterator[Engine]:
    engine = make_engine(committed_url)
    yield engine
    engine.dispose()


def test_two_agents_answering_at_once_both_reach_the_customer(
    engine: Engine, settings: Settings, inbox: Inbox
) -> None:
    with unit_of_work(engine) as session:
        department = make_department(session)
        agents = [make_agent(session, department), make_agent(session, department)]
        customer = make_customer(session, email="kim@example.org")
        case = make_case(session, department=department, text="Two agents?", customer=customer)
    start = Barrier(2)

    def answer(index: int) -> int:
        start.wait()
        with unit_of_work(engine) as session:
            return reply(
                directory(session), case.id, author=agents[index], body=f"Answer {index}"
            ).id

    with ThreadPoolExecutor(max_workers=2) as pool:
        ids = list(pool.map(answer, [0, 1]))

    with unit_of_work(engine, write=False) as session:
        stored = session.scalars(select(CaseMessage.id).where(CaseMessage.case_id == case.id))
        assert sorted(stored) == sorted(ids)
    report = deliver_messages(engine, settings.model_copy(update={"smtp_port": inbox.port}), ids)
    assert report.sent == 2
    assert sorted(m.get_content().strip() for m in inbox.messages) == ["Answer 0", "Answer 1"]
