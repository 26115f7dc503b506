"""Where metric expressions run: DuckDB in memory or over a Parquet lake, or any Ibis backend.

Every engine is handed the same analytic tables (see :mod:`cxloop.insights.facts`) under
the same names, so a metric's Ibis expression never knows which engine evaluates it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxloop.errors import NotFound
from cxloop.insights.facts import SCHEMAS, TABLES

COMPILED = 512
"""Compiled queries a DuckDB-backed set of tables keeps (the least recently used go first)."""


class Tables(Protocol):
    def table(self, name: str) -> ir.Table: ...


class BackendTables:
    """Analytic tables held by one Ibis backend (DuckDB, PostgreSQL, PySpark...)."""

    def __init__(self, backend: Any, names: Mapping[str, str] | None = None) -> None:
        self.backend = backend
        self.names = dict(names or {name: name for name in TABLES})
        self._tables: dict[str, ir.Table] = {}
        self._compiled: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()

    def table(self, name: str) -> ir.Table:
        """The table's expression, looked up once: each lookup asks the engine for its schema,
        which costs more than a small query (the schemas are fixed, see ``SCHEMAS``)."""
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = self.backend.table(self.names[name])
        return table

    def rows(self, key: Hashable, build: Callable[[], ir.Table]) -> list[dict[str, Any]]:
        """The rows of the expression ``build`` makes, ``key`` naming it (equal keys, equal
        expressions). On DuckDB its SQL is compiled once per key and run on the connection:
        Ibis' compiling and result conversion cost ≈ 20-60 ms a query, as much as a metric
        over 100,000 rows. Counts may come back as decimals there (DuckDB sums into 128-bit
        integers); callers read them with ``int``. Other engines run the expression as is."""
        if self.backend.name != "duckdb":
            return build().to_pyarrow().to_pylist()  # type: ignore[no-any-return]
        with self._lock:
            sql = self._compiled.get(key)
            if sql is not None:
                self._compiled.move_to_end(key)
        if sql is None:
            sql = str(self.backend.compile(build()))
            with self._lock:
                self._compiled[key] = sql
                while len(self._compiled) > COMPILED:
                    self._compiled.popitem(last=False)
        return self.backend.con.execute(sql).to_arrow_table().to_pylist()  # type: ignore[no-any-return]


def load(
    backend: Any, tables: Mapping[str, pa.Table], *, prefix: str = "", temp: bool = False
) -> BackendTables:
    """Copy Arrow tables into ``backend`` (replacing earlier copies) and read them from there.

    ``temp`` keeps them for the backend's connection only (a scratch copy on a shared server).
    """
    names = {name: f"{prefix}{name}" for name in tables}
    for name, data in tables.items():
        backend.create_table(names[name], data, overwrite=True, temp=temp)
    return BackendTables(backend, names)


def in_memory(tables: Mapping[str, pa.Table]) -> BackendTables:
    """A private embedded DuckDB holding these tables (the default engine)."""
    return load(ibis.duckdb.connect(), tables)


def read_lake(directory: Path) -> BackendTables:
    """DuckDB reading a lake written by :func:`cxloop.insights.lake.write_lake`, in place."""
    backend = ibis.duckdb.connect()
    for name in TABLES:
        files = directory / name
        if not files.is_dir():
            raise NotFound(f"{directory} holds no '{name}' table; write it with cxloop export lake")
        pattern = str(files / "**" / "*.parquet")
        backend.read_parquet(pattern, table_name=name, hive_partitioning=True)
    return BackendTables(backend)


def empty_tables() -> dict[str, pa.Table]:
    return {name: schema.empty_table() for name, schema in SCHEMAS.items()}


def load_spark(spark: Any, tables: Mapping[str, pa.Table]) -> BackendTables:
    """Spark temporary views built straight from Arrow, for a ``SparkSession``.

    Not :func:`load`: Ibis copies into Spark through pandas, which turns integer columns
    with nulls into floats and then into all-null columns, so scores silently vanish.
    """
    for name, data in tables.items():
        spark.createDataFrame(data).createOrReplaceTempView(name)
    return BackendTables(ibis.pyspark.connect(spark))
