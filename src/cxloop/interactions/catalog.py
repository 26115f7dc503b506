"""The company's configurable vocabulary: channels, journey stages, departments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.interactions.models import Channel, JourneyStage
from cxloop.store.bulk import is_sqlite, select_all

_CACHE_KEY = "interactions.catalog"
_VOCABULARY = (Channel, JourneyStage, Department)


@dataclass(frozen=True)
class Catalog:
    channels: frozenset[str]
    stages: frozenset[str]
    departments: dict[str, int]


def load_catalog(session: Session) -> Catalog:
    """Read once per unit of work (three tiny tables), so a department added a moment ago is
    known; group-committed ingest requests share one transaction and so one read."""
    cached: Catalog | None = session.info.get(_CACHE_KEY)
    if cached is None:
        cached = _read_sqlite(session) if is_sqlite(session) else _read(session)
        session.info[_CACHE_KEY] = cached
    return cached


def _read(session: Session) -> Catalog:
    return Catalog(
        channels=frozenset(session.scalars(select(Channel.key))),
        stages=frozenset(session.scalars(select(JourneyStage.key))),
        departments={
            slug: id_ for slug, id_ in session.execute(select(Department.slug, Department.id))
        },
    )


def _read_sqlite(session: Session) -> Catalog:
    """The same read through the driver: on a busy ingest server every group commit is a new
    unit of work, and three ORM queries cost as much as storing the events themselves."""
    return Catalog(
        channels=frozenset(key for (key,) in select_all(session, "SELECT key FROM channels")),
        stages=frozenset(key for (key,) in select_all(session, "SELECT key FROM journey_stages")),
        departments=dict(select_all(session, "SELECT slug, id FROM departments")),
    )


@event.listens_for(Session, "before_flush")
def _forget_on_change(session: Session, _context: Any, _instances: Any) -> None:
    """A channel, stage or department written in this unit of work invalidates its catalog."""
    if _CACHE_KEY in session.info and any(
        isinstance(obj, _VOCABULARY) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        del session.info[_CACHE_KEY]


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CACHE_KEY, None)
