"""Unit of work: one session, one commit, then the domain events. Services only ``flush()``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop import bus
from cxloop.store.engine import SQLITE_BEGIN_OPTION

PENDING_EVENTS = "pending_events"


def publish(session: Session, event: bus.Event) -> None:
    """Queue an event; it is delivered only once the unit of work has committed."""
    session.info.setdefault(PENDING_EVENTS, []).append(event)


def open_session(bind: Engine | Connection, *, write: bool = False) -> Session:
    """A session on ``bind``. ``write`` takes SQLite's write lock at BEGIN so writers queue."""
    if write and isinstance(bind, Engine):
        bind = bind.execution_options(**{SQLITE_BEGIN_OPTION: True})
    return Session(bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


def commit(session: Session) -> None:
    """Commit, then deliver the events the work published."""
    session.commit()
    events = session.info.pop(PENDING_EVENTS, [])
    bus.deliver(events)


@contextmanager
def savepoint(session: Session) -> Iterator[Session]:
    """A nested transaction whose failure undoes its writes and the events it published."""
    pending: list[bus.Event] = session.info.setdefault(PENDING_EVENTS, [])
    published_before = len(pending)
    try:
        with session.begin_nested():
            yield session
    except BaseException:
        del pending[published_before:]
        raise


@contextmanager
def unit_of_work(bind: Engine | Connection, *, write: bool = True) -> Iterator[Session]:
    session = open_session(bind, write=write)
    try:
        yield session
        commit(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
