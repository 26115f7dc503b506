"""What every analytic table shares: times are naive UTC microseconds, the one timestamp type
DuckDB, PostgreSQL, Spark and Parquet all read back unchanged."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

TIME = pa.timestamp("us")


def naive(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None else None
