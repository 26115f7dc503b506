"""The generic CRUD helpers: get-or-404, keyset (cursor) pages, partial updates, and how many
rows a bulk UPDATE or DELETE matched."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from cxloop.errors import NotFound, ValidationFailed

T = TypeVar("T")


def get_or_404(session: Session, model: type[T], ident: Any, *, what: str | None = None) -> T:
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"{what or model.__name__} {ident} does not exist")
    return obj


def apply_update(obj: Any, update: BaseModel) -> None:
    for key, value in update.model_dump(exclude_unset=True).items():
        setattr(obj, key, value)


def rows_affected(result: object) -> int:
    """How many rows an UPDATE or DELETE run with ``session.execute`` matched.

    ``Session.execute`` is declared to return ``Result``, which has no ``rowcount``: only the
    ``CursorResult`` a plain UPDATE or DELETE gives at runtime has one, and the same statement
    with RETURNING gives a result without it (count the rows it returns instead). No count at
    all, or None (which PEP 249 leaves future drivers to use for "unknown"), is 0. PEP 249's
    -1 for "unknown" (after an executemany, or for a statement the driver does not count) is
    passed through as it is: count this way only single UPDATE and DELETE statements, which
    every driver counts.
    """
    return int(getattr(result, "rowcount", 0) or 0)


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(list(values))).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise ValidationFailed("cursor is not one this API gave out", field="cursor") from exc
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed("cursor is not one this API gave out", field="cursor")
    return values


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    keys: Sequence[InstrumentedAttribute[Any]],
    descending: bool,
    limit: int,
    cursor: str | None,
    key_values: Any,
    decode: Any = None,
) -> Page[T]:
    """One page of ``stmt`` ordered by ``keys`` (unique together), continuing after ``cursor``.

    ``key_values(row)`` gives the keys of a row as JSON-able values; ``decode`` turns cursor
    values back into column values (e.g. ISO strings into datetimes).
    """
    if cursor is not None:
        values = decode_cursor(cursor, len(keys))
        if decode is not None:
            values = decode(values)
        stmt = stmt.where(_after(keys, values, descending))
    order = [k.desc() if descending else k.asc() for k in keys]
    rows: list[T] = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    next_cursor = encode_cursor(key_values(rows[limit - 1])) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def _after(
    keys: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any], descending: bool
) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in key order, written portably (no row-value compare)."""
    clauses = []
    for i, key in enumerate(keys):
        equal = [keys[j] == values[j] for j in range(i)]
        step = key < values[i] if descending else key > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)
