"""A Parquet lake of the analytic tables, partitioned by month, for warehouses and Spark.

Layout: ``DIR/<table>/month=YYYY-MM/part-0.parquet`` (Hive style, which Spark, DuckDB,
Trino and BigQuery external tables read as is). Each table's folder is replaced whole, so a
re-export never mixes old and new rows. The month lives only in the folder names; every
row keeps its ``at`` timestamp, so readers that ignore partitions see all columns.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from cxloop.insights.case_facts import AsOf
from cxloop.insights.facts import TABLES, extract

PARTITION = "month"


@dataclass(frozen=True, slots=True)
class LakeReport:
    directory: Path
    rows: dict[str, int]
    files: int


def write_table(directory: Path, name: str, table: pa.Table) -> int:
    """Write one table under ``directory/name``; returns the number of files written."""
    target = directory / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if table.num_rows == 0:
        pq.write_table(table, target / "empty.parquet")  # keeps the schema readable
        return 1
    month = pc.strftime(table["at"], format="%Y-%m")
    ds.write_dataset(
        table.append_column(PARTITION, month),
        target,
        format="parquet",
        partitioning=ds.partitioning(pa.schema([(PARTITION, pa.string())]), flavor="hive"),
        basename_template="part-{i}.parquet",
    )
    return sum(1 for _ in target.rglob("*.parquet"))


def write_lake(
    session: Session,
    directory: Path,
    *,
    advance: Callable[[int], None] | None = None,
    as_of: AsOf | None = None,
) -> LakeReport:
    """Every analytic table; ``advance(1)`` after each, for a progress bar."""
    directory.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    files = 0
    for name in TABLES:
        table = extract(session, name, as_of)
        rows[name] = table.num_rows
        files += write_table(directory, name, table)
        if advance is not None:
            advance(1)
    return LakeReport(directory=directory, rows=rows, files=files)
