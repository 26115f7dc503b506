"""Group commit: callers are answered only after a commit, and one failure spoils nothing else."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cxloop import bus
from cxloop.accounts import Department, ensure_department
from cxloop.errors import ValidationFailed
from cxloop.store.engine import make_engine
from cxloop.store.group_commit import GroupCommitter
from cxloop.store.uow import publish
from tests.store.databases import committed_url_fixture  # noqa: F401 - fixture


@dataclass(frozen=True, kw_only=True)
class DepartmentSaved(bus.Event):
    slug: str


DELIVERED: list[str] = []
bus.subscribe(DepartmentSaved, lambda event: DELIVERED.append(event.slug))


@pytest.fixture(name="engine")
def engine_fixture(committed_url: str) -> Iterator[Engine]:
    engine = make_engine(committed_url)
    yield engine
    engine.dispose()


def add_department(slug: str) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        ensure_department(session, slug=slug)
        session.flush()
        publish(session, DepartmentSaved(slug=slug))
        return slug

    return work


def stored_slugs(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(Department.slug)))


def test_an_answer_means_the_work_is_committed(engine: Engine) -> None:
    committer = GroupCommitter(engine)

    assert committer.submit(add_department("billing")).result(timeout=30) == "billing"

    assert "billing" in stored_slugs(engine)
    assert "billing" in DELIVERED


def test_concurrent_callers_share_transactions_and_all_are_stored(engine: Engine) -> None:
    committer = GroupCommitter(engine, max_batch=16)
    slugs = [f"team-{i}" for i in range(60)]

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = list(pool.map(lambda s: committer.submit(add_department(s)), slugs))
        answers = [f.result(timeout=60) for f in futures]

    assert answers == slugs
    assert set(slugs) <= stored_slugs(engine)


def test_a_failing_piece_is_undone_alone_and_its_events_are_dropped(engine: Engine) -> None:
    committer = GroupCommitter(engine)

    def half_done_then_fails(session: Session) -> None:
        add_department("half-done")(session)
        raise ValidationFailed("bad request", field="x")

    futures = [
        committer.submit(add_department("before")),
        committer.submit(half_done_then_fails),
        committer.submit(add_department("after")),
    ]

    assert futures[0].result(timeout=30) == "before"
    with pytest.raises(ValidationFailed):
        futures[1].result(timeout=30)
    assert futures[2].result(timeout=30) == "after"
    slugs = stored_slugs(engine)
    assert {"before", "after"} <= slugs
    assert "half-done" not in slugs
    assert "half-done" not in DELIVERED


def test_the_writer_thread_stops_when_idle_and_restarts_on_demand(engine: Engine) -> None:
    committer = GroupCommitter(engine, idle_s=0.05)
    committer.submit(add_department("first")).result(timeout=30)

    # Up to 10 s, not 200 sleeps of 10 ms: on a loaded 2-core machine a thread can wait that
    # long for its turn, and an idle writer that stops late has still stopped.
    deadline = time.monotonic() + 10
    while committer.writing and time.monotonic() < deadline:
        time.sleep(0.01)

    assert not committer.writing
    assert committer.submit(add_department("second")).result(timeout=30) == "second"
    with Session(engine) as session:
        count = session.scalar(select(func.count()).where(Department.slug.in_(["first", "second"])))
    assert count == 2
