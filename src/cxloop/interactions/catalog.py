"""The company's configurable vocabulary: channels, journey stages, departments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Department
from cxloop.interactions.models import Channel, JourneyStage


@dataclass(frozen=True)
class Catalog:
    channels: frozenset[str]
    stages: frozenset[str]
    departments: dict[str, int]


def load_catalog(session: Session) -> Catalog:
    """Read per call (three tiny tables), so a department added a moment ago is known."""
    return Catalog(
        channels=frozenset(session.scalars(select(Channel.key))),
        stages=frozenset(session.scalars(select(JourneyStage.key))),
        departments={
            slug: id_ for slug, id_ in session.execute(select(Department.slug, Department.id))
        },
    )
