"""Where metric expressions run: DuckDB in memory or over a Parquet lake, or any Ibis backend.

Every engine is handed the same analytic tables (see :mod:`cxloop.insights.facts`) under
the same names, so a metric's Ibis expression never knows which engine evaluates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cxloop.errors import NotFound
from cxloop.insights.facts import SCHEMAS, TABLES


class Tables(Protocol):
    def table(self, name: str) -> ir.Table: ...


class BackendTables:
    """Analytic tables held by one Ibis backend (DuckDB, PostgreSQL, PySpark...)."""

    def __init__(self, backend: Any, names: Mapping[str, str] | None = None) -> None:
        self.backend = backend
        self.names = dict(names or {name: name for name in TABLES})
        self._tables: dict[str, ir.Table] = {}

    def table(self, name: str) -> ir.Table:
        """The table's expression, looked up once: each lookup asks the engine for its schema,
        which costs more than a small query (the schemas are fixed, see ``SCHEMAS``)."""
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = self.backend.table(self.names[name])
        return table


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
