"""Every configuration change in the audit log, written by the ORM itself.

Mapper events on every table marked ``@configuration`` (``cxloop.store.changes``) write one
entry per row inserted, updated or deleted (``<name>.created``, ``.changed``, ``.removed``),
inside the flush that made the change: the entry commits, or rolls back, with it. The entry
names the actor the unit of work carries and holds the changed columns' values before and
after; a secret column shows only that it changed. Routes and services therefore write no
audit entry of their own for configuration.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, event, insert, inspect
from sqlalchemy.orm import Mapper, object_session

from cxloop.privacy.models import AuditEntry
from cxloop.store.base import Base
from cxloop.store.changes import CONFIGURATION, SYSTEM_ACTOR, ConfigTable, actor_of
from cxloop.types import utcnow

SECRET = "[secret]"  # noqa: S105 (what the log shows instead of a secret)
"""What the log shows of a secret column (a hash, a webhook URL): that it was set."""


def _plain(value: Any) -> Any:
    """A value as JSON holds it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, Base):
        return _key(inspect(value).mapper, value)
    return str(value)


def _key(mapper: Mapper[Any], target: Any) -> str:
    return ",".join(str(v) for v in mapper.primary_key_from_instance(target))


def _shown(config: ConfigTable, name: str, value: Any) -> Any:
    return SECRET if name in config.secret and value is not None else _plain(value)


def _audited(mapper: Mapper[Any]) -> list[str]:
    """The attributes of a row the log shows: its columns and many-to-many links."""
    config = CONFIGURATION[mapper.class_]
    names = [a.key for a in mapper.column_attrs if a.key not in config.ignore]
    names += [r.key for r in mapper.relationships if r.secondary is not None]
    return names


def _snapshot(mapper: Mapper[Any], target: Any) -> dict[str, Any]:
    config = CONFIGURATION[mapper.class_]
    return {name: _shown(config, name, getattr(target, name)) for name in _audited(mapper)}


def _write(
    connection: Connection, mapper: Mapper[Any], target: Any, verb: str, **values: Any
) -> None:
    config = CONFIGURATION[mapper.class_]
    session = object_session(target)
    actor = actor_of(session) if session is not None else SYSTEM_ACTOR
    detail: dict[str, Any] = dict(values)
    if actor.via:
        detail["via"] = actor.via
    connection.execute(
        insert(AuditEntry).values(
            at=utcnow(),
            actor=actor.name[:320],
            action=f"{config.name}.{verb}",
            target_type=config.name,
            target_id=_key(mapper, target)[:200],
            ip=actor.ip,
            detail=detail,
        )
    )


def _created(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if mapper.class_ in CONFIGURATION:
        _write(connection, mapper, target, "created", after=_snapshot(mapper, target))


def _removed(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if mapper.class_ in CONFIGURATION:
        _write(connection, mapper, target, "removed", before=_snapshot(mapper, target))


def _changed(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """Only columns whose value really changed; a row touched without a change is no entry."""
    if mapper.class_ not in CONFIGURATION:
        return
    config = CONFIGURATION[mapper.class_]
    state = inspect(target)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in _audited(mapper):
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        if name in mapper.relationships:
            old: Any = sorted(_plain(list(history.unchanged) + list(history.deleted)))
            new: Any = sorted(_plain(list(history.unchanged) + list(history.added)))
        else:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        if old == new:
            continue
        before[name], after[name] = _shown(config, name, old), _shown(config, name, new)
    if after or before:
        _write(connection, mapper, target, "changed", before=before, after=after)


event.listen(Base, "after_insert", _created, propagate=True)
event.listen(Base, "after_update", _changed, propagate=True)
event.listen(Base, "after_delete", _removed, propagate=True)
