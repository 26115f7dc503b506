"""Which tables are the company's configuration, and who a unit of work acts for.

A domain marks each configuration table with ``@configuration("name")``; the privacy domain
writes every insert, update and delete of such a row to the audit log from one flush hook,
with the actor the unit of work carries (``act_as``), so no route, page, command or job can
forget to. Columns listed as ``secret`` are never written (only that they changed); columns
listed as ``ignore`` change by use, not by anyone's decision (a token's last use, a
round-robin's last pick), and are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")
ACTOR_KEY = "actor"
ALWAYS_IGNORED = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True, slots=True)
class ConfigTable:
    name: str
    secret: frozenset[str] = frozenset()
    ignore: frozenset[str] = ALWAYS_IGNORED


CONFIGURATION: dict[type[Any], ConfigTable] = {}
"""Every configuration table's mapped class, with how its changes are audited."""


def configuration(
    name: str, *, secret: Iterable[str] = (), ignore: Iterable[str] = ()
) -> Callable[[type[T]], type[T]]:
    """Mark a mapped class as configuration; ``name`` is the audit log's target type."""

    def mark(cls: type[T]) -> type[T]:
        CONFIGURATION[cls] = ConfigTable(
            name, frozenset(secret), ALWAYS_IGNORED | frozenset(ignore)
        )
        return cls

    return mark


@dataclass(frozen=True, slots=True)
class Actor:
    """Who the work is done for: a user's email, ``cli:<account>``, ``source:<id>`` or
    ``system``; ``via`` says how they came (``token 12``, ``web``, ``oidc``)."""

    name: str
    ip: str | None = None
    via: str | None = None


SYSTEM_ACTOR = Actor("system")


def act_as(session: Session, actor: Actor) -> None:
    """Name who this unit of work acts for (the edge calls it once it knows)."""
    session.info[ACTOR_KEY] = actor


def actor_of(session: Session) -> Actor:
    actor = session.info.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else SYSTEM_ACTOR
