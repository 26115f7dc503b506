"""Every chart's and table's numbers as a file: CSV, XLSX or Parquet, under the page's own
filters (``/<page>/download/<table>?<the page's query>&format=csv``).

One module writes them all, with the writers ``cxloop export`` and ``cxloop metric export``
use (:func:`cxloop.store.tabular.write_rows`): text a spreadsheet would run as a formula is
neutralised, Parquet keeps the types. Each download is audited as an export
(``export.<page>``) naming the table, format, rows and query; a download leaves no file on
the server, so the entry's target is the file name the browser saved, not a path.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.errors import NotFound
from cxloop.insights import MetricResult, result_columns, result_rows
from cxloop.privacy import audit
from cxloop.store.tabular import MEDIA_TYPES, Column, write_rows
from cxloop.web.routing import DownloadRoute
from cxloop.web.security import client_ip

DownloadFormat = Literal["csv", "xlsx", "parquet"]
DOWNLOAD_FORMATS: tuple[DownloadFormat, ...] = ("csv", "xlsx", "parquet")
FormatQuery = Annotated[DownloadFormat, Query(alias="format")]
TableName = Annotated[str, PathParam(max_length=64)]
"""The ``{table}`` of a page's download route; each page checks it against its own tables."""
TARGET = "download"
router = APIRouter(route_class=DownloadRoute, include_in_schema=False)
"""Each page adds its ``/<page>/download/{table}`` route here."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table's columns and rows, as the page shows them (numbers, not formatted text)."""

    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]


def metric_table(results: Sequence[MetricResult]) -> Table:
    """Metric results one after another (each its total, then its groups), in the columns of
    ``cxloop metric export``; results by different dimensions share one column set."""
    names = dict.fromkeys(c.name for r in results for c in result_columns(r))
    kinds = {c.name: c for r in results for c in result_columns(r)}
    return Table(
        columns=[kinds[name] for name in names],
        rows=[row for r in results for row in result_rows(r)],
    )


def check_table(name: str, known: Sequence[str], page: str) -> None:
    """Refuse a table the page does not have, before anything is computed."""
    if name not in known:
        raise NotFound(
            f"the {page} page has no table '{name}'; its tables are {', '.join(known)}",
            field="table",
        )


def download(
    request: Request,
    session: Session,
    user: User,
    *,
    page: str,
    name: str,
    table: Table,
    fmt: DownloadFormat,
) -> Response:
    """The table ``name`` of ``page`` as a file to save, audited as an export."""
    filename = f"{page}-{name}-{datetime.now(UTC):%Y-%m-%d}.{fmt}"
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / filename
        rows = write_rows(path, fmt, table.columns, table.rows)
        content = path.read_bytes()
    audit(
        session,
        actor=user.email,
        action=f"export.{page}",
        target_type=TARGET,
        target_id=filename,
        ip=client_ip(request),
        table=name,
        format=fmt,
        rows=rows,
        query=str(request.url.query)[:1000],
    )
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
