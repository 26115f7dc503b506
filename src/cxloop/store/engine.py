"""Engines: SQLite in WAL mode by default, PostgreSQL by URL. One engine per URL per process."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_BEGIN_OPTION = "sqlite_begin_immediate"


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers; FULL sync so an acknowledged write survives power loss.

    pysqlite's own transaction handling is switched off so that writers can take the write lock
    up front (``BEGIN IMMEDIATE``): two deferred writers would otherwise deadlock on upgrade.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False, "timeout": 30},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        pool_size=10,
        **kwargs,
    )


MAX_CACHED_ENGINES = 8
_engines: OrderedDict[str, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """The process's engine for ``url``. Beyond a few URLs the least recently used engine is
    disposed, not merely dropped: a dropped engine would leave its pooled connections to the
    garbage collector, still open on the server."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is not None:
            _engines.move_to_end(url)
            return engine
        engine = _engines[url] = make_engine(url)
        if len(_engines) > MAX_CACHED_ENGINES:
            _url, oldest = _engines.popitem(last=False)
            oldest.dispose()
        return engine
