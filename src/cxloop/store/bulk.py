"""Bulk writes and reads on SQLite through the driver, with values already in storage form.

On the ingest path SQLAlchemy's per-value work (bind processors, type decorators, wrapping
every result row) cost more than SQLite's own: these helpers hand SQLite many rows a
statement as plain tuples on the session's own connection, inside its transaction, and read
results with the driver's ``fetchall``. The storage forms are the ones SQLAlchemy's SQLite
types write (naive UTC text for times, JSON text, 0/1), so either path reads the other's
rows. Other databases go through SQLAlchemy unchanged (see the callers).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Table
from sqlalchemy.orm import Session

from cxloop.store.base import UTCDateTime

# SQLite binds at most 32,766 parameters a statement.
MAX_PARAMETERS = 32_766

Convert = Callable[[Any], Any]


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def _cursor(session: Session) -> Iterator[sqlite3.Cursor]:
    """A driver cursor on the session's connection, inside its transaction."""
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    cursor = driver.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


def sqlite_time(moment: datetime) -> str:
    """The text SQLAlchemy's SQLite DateTime stores: naive UTC with microseconds."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _time_text(value: datetime | None) -> str | None:
    return None if value is None else sqlite_time(value)


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _converter(table: Table, column: str) -> Convert | None:
    kind = table.c[column].type
    if isinstance(kind, UTCDateTime):
        return _time_text
    if isinstance(kind, JSON):
        return _json_text
    if isinstance(kind, Boolean):
        return _flag
    return None


@lru_cache(maxsize=64)
def _converters(table: Table, columns: tuple[str, ...]) -> tuple[Convert | None, ...]:
    return tuple(_converter(table, c) for c in columns)


@lru_cache(maxsize=64)
def _insert_sql(table: Table, columns: tuple[str, ...], rows: int, suffix: str) -> str:
    placeholders = "(" + ", ".join("?" * len(columns)) + ")"
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES {', '.join([placeholders] * rows)}{suffix}"
    )


def storage_rows(
    table: Table, columns: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """``rows`` as tuples of ``columns`` in the form SQLite stores them."""
    converters = _converters(table, columns)
    return [
        tuple(
            value if convert is None else convert(value)
            for convert, value in zip(converters, (row[c] for c in columns), strict=True)
        )
        for row in rows
    ]


def insert_tuples(
    session: Session,
    table: Table,
    columns: tuple[str, ...],
    values: Sequence[tuple[Any, ...]],
    *,
    suffix: str = "",
) -> list[tuple[Any, ...]]:
    """Insert tuples already in storage form, many rows a statement; returns what ``suffix``
    (e.g. ``" RETURNING id"``) makes SQLite return, in the driver's order."""
    returned: list[tuple[Any, ...]] = []
    per_statement = MAX_PARAMETERS // len(columns)
    with _cursor(session) as cursor:
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            sql = _insert_sql(table, columns, len(part), suffix)
            cursor.execute(sql, [value for row in part for value in row])
            returned.extend(cursor.fetchall())
    return returned


def insert_mappings(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, suffix: str = ""
) -> list[tuple[Any, ...]]:
    """:func:`insert_tuples` for rows given as mappings with the same keys, converted to
    their storage form by column type."""
    columns = tuple(rows[0])
    return insert_tuples(session, table, columns, storage_rows(table, columns, rows), suffix=suffix)


def insert_returning_ids(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Insert ``rows`` (same keys each) and return their new integer ids in ``rows``' order.

    SQLite numbers the rows of one write transaction in insertion order, so the ids sorted
    are the rows' ids in order: the same sentinel SQLAlchemy relies on for SQLite."""
    return sorted(i for (i,) in insert_mappings(session, table, rows, suffix=" RETURNING id"))


def select_in(
    session: Session, sql: str, values: Sequence[Any], *, chunk: int = 500
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (ending in ``IN ({})``) for ``values`` in chunks; all rows, raw."""
    rows: list[tuple[Any, ...]] = []
    with _cursor(session) as cursor:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            cursor.execute(sql.format(", ".join("?" * len(part))), list(part))
            rows.extend(cursor.fetchall())
    return rows


def select_all(session: Session, sql: str) -> list[tuple[Any, ...]]:
    """Every row of a small constant query, raw."""
    with _cursor(session) as cursor:
        rows: list[tuple[Any, ...]] = cursor.execute(sql).fetchall()
    return rows
