"""Tabular files in and out: CSV, JSONL, Parquet and XLSX, streamed row by row.

Imports and exports move millions of rows, so nothing here holds a whole file in memory:
readers yield one :class:`Row` at a time and writers take rows as they come (Parquet in
row groups). What a spreadsheet would execute is neutralised on the way out: a text cell
starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe, because an
exported customer message is attacker-controlled text (CSV/formula injection, OWASP). The
readers remove exactly that apostrophe again, so an export re-imports unchanged.

The import plumbing shared by every domain lives here too: the column :class:`Mapping`,
:class:`FieldError` (a row rejected for a named field), the :class:`ErrorFile` listing
rejected rows, and :func:`run_batches`, which commits one unit of work per batch so a long
import's progress is durable and a failure late in a file keeps what came before.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol, TypeVar, get_args

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.store.uow import unit_of_work

Format = Literal["csv", "jsonl", "parquet", "xlsx"]
FORMATS: tuple[str, ...] = get_args(Format)
ColumnKind = Literal["str", "int", "float", "bool", "datetime", "json"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
"""What each format is served as over HTTP (the API's exports and the pages' downloads)."""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32_767
PARQUET_GROUP_ROWS = 10_000
_PARQUET_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.string(),  # ISO 8601 with offset: unambiguous in every tool
    "json": pa.string(),
}


def detect_format(path: Path, explicit: str | None = None) -> Format:
    """The format named by ``explicit`` or else by the file extension (``.ndjson`` = JSONL)."""
    name = (explicit or path.suffix.lstrip(".")).lower()
    name = {"ndjson": "jsonl", "pq": "parquet", "tsv": "csv"}.get(name, name)
    if name not in FORMATS:
        raise ValidationFailed(
            f"cannot tell the format of '{path.name}'; use --format {{{','.join(FORMATS)}}}",
            field="format",
        )
    return name  # type: ignore[return-value]


# -- reading -------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    """One record of a file. ``number`` is what a person sees: the spreadsheet row (the
    header is row 1), the JSONL line, or the Parquet record counted from 1. ``error`` is set
    when the record itself could not be read (a broken JSON line)."""

    number: int
    values: dict[str, Any]
    error: str | None = None


def neutralise(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def restore(value: str) -> str:
    """Undo :func:`neutralise` (only an apostrophe followed by a formula trigger)."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _clean(value: Any) -> Any:
    """Empty cells are missing values; neutralised text gets its apostrophe back."""
    if isinstance(value, str):
        return restore(value) if value else None
    return value


def read_rows(path: Path, fmt: Format) -> Iterator[Row]:
    readers: dict[str, Callable[[Path], Iterator[Row]]] = {
        "csv": _read_csv,
        "jsonl": _read_jsonl,
        "parquet": _read_parquet,
        "xlsx": _read_xlsx,
    }
    return readers[fmt](path)


def count_rows(path: Path, fmt: Format) -> int | None:
    """A quick row count for the progress bar (newlines for text formats, metadata else)."""
    if fmt == "parquet":
        return int(pq.ParquetFile(path).metadata.num_rows)
    if fmt == "xlsx":
        return None  # read-only worksheets often do not know their size
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return max(lines - (1 if fmt == "csv" else 0), 0)


def _read_csv(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(64 * 1024)
        handle.seek(0)
        delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(sample)
        reader = csv.DictReader(handle, delimiter=delimiter)
        for number, record in enumerate(reader, start=2):
            values = {k: _clean(v) for k, v in record.items() if k is not None}
            if any(v is not None for v in values.values()):
                yield Row(number, values)


def _sniff_delimiter(sample: str) -> str:
    header = sample.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


def _read_jsonl(path: Path) -> Iterator[Row]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield Row(number, {}, f"line is not valid JSON ({exc.msg})")
                continue
            if not isinstance(record, dict):
                yield Row(number, {}, "line is not a JSON object")
                continue
            yield Row(number, {k: _clean(v) for k, v in record.items()})


def _read_parquet(path: Path) -> Iterator[Row]:
    number = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=PARQUET_GROUP_ROWS):
        for record in batch.to_pylist():
            number += 1
            yield Row(number, {k: _clean(v) for k, v in record.items()})


def _read_xlsx(path: Path) -> Iterator[Row]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [
            str(h).strip() if h is not None else f"column_{i + 1}" for i, h in enumerate(header)
        ]
        for number, cells in enumerate(rows, start=2):
            values = dict.fromkeys(names)  # read-only sheets drop trailing empty cells
            values.update({n: _clean(c) for n, c in zip(names, cells, strict=False)})
            if any(v is not None for v in values.values()):
                yield Row(number, values)
    finally:
        workbook.close()


# -- writing -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: ColumnKind = "str"


def _plain(value: Any, kind: str) -> Any:
    """A value as it goes into a typed format (Parquet, JSONL)."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if kind == "json" and not isinstance(value, str):
        return orjson.dumps(value).decode()
    return value


def _text(value: Any, kind: str) -> Any:
    """A value as it goes into a spreadsheet cell: JSON as text, text neutralised."""
    value = _plain(value, kind)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return neutralise(value)
    return value


class Writer(Protocol):
    def write(self, row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class _CsvWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self.writer.writerow([c.name for c in columns])

    def write(self, row: dict[str, Any]) -> None:
        cells = (_text(row.get(c.name), c.kind) for c in self.columns)
        self.writer.writerow(["" if v is None else v for v in cells])

    def close(self) -> None:
        self.handle.close()


class _JsonlWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.handle = path.open("wb")

    def write(self, row: dict[str, Any]) -> None:
        record = {c.name: row.get(c.name) for c in self.columns}
        self.handle.write(orjson.dumps(record, option=orjson.OPT_NAIVE_UTC) + b"\n")

    def close(self) -> None:
        self.handle.close()


class _ParquetWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.columns = columns
        self.schema = pa.schema([(c.name, _PARQUET_TYPES[c.kind]) for c in columns])
        self.writer = pq.ParquetWriter(path, self.schema)
        self.pending: list[dict[str, Any]] = []

    def write(self, row: dict[str, Any]) -> None:
        self.pending.append({c.name: _plain(row.get(c.name), c.kind) for c in self.columns})
        if len(self.pending) >= PARQUET_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            self.writer.write_table(pa.Table.from_pylist(self.pending, schema=self.schema))
            self.pending = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


class _XlsxWriter:
    def __init__(self, path: Path, columns: Sequence[Column]) -> None:
        self.path = path
        self.columns = columns
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(path.stem[:31] or "data")
        self.sheet.append([c.name for c in columns])

    def write(self, row: dict[str, Any]) -> None:
        self.sheet.append([_cell(_text(row.get(c.name), c.kind)) for c in self.columns])

    def close(self) -> None:
        self.workbook.save(self.path)


def _cell(value: Any) -> Any:
    """XLSX forbids control characters and caps a cell at 32,767 characters."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if len(value) > XLSX_MAX_CELL:
            value = value[: XLSX_MAX_CELL - 1] + "…"
    return value


_WRITERS: dict[str, Callable[[Path, Sequence[Column]], Writer]] = {
    "csv": _CsvWriter,
    "jsonl": _JsonlWriter,
    "parquet": _ParquetWriter,
    "xlsx": _XlsxWriter,
}


def write_rows(
    path: Path, fmt: Format, columns: Sequence[Column], rows: Iterable[dict[str, Any]]
) -> int:
    """Stream ``rows`` into ``path``; returns how many were written."""
    writer = _WRITERS[fmt](path, columns)
    written = 0
    try:
        for row in rows:
            writer.write(row)
            written += 1
    finally:
        writer.close()
    return written


# -- importing -----------------------------------------------------------------------------


class FieldError(ValueError):
    """A row cannot be imported because of one field; the message says what to fix."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_assignments(pairs: Iterable[str], option: str) -> dict[str, str]:
    """``["target=column", ...]`` from repeated CLI options, with a clear error."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        target, sep, value = pair.partition("=")
        if not sep or not target.strip():
            raise ValidationFailed(f"{option} expects TARGET=VALUE, got '{pair}'", field=option)
        parsed[target.strip()] = value.strip()
    return parsed


OBJECT_TARGETS = ("properties", "traits")
"""Targets holding a JSON object, whose keys can be mapped one by one."""


@dataclass(frozen=True)
class Mapping:
    """Which file column feeds each target field, and constants for absent columns.

    By default a target reads the column of the same name; ``columns`` renames
    (``--map email=E-mail``) and ``defaults`` supply a value when the row has none
    (``--default channel=email``). One key of a JSON-object target is a target too
    (``--map "properties.rating=Star Rating"``), so another tool's export imports as it is.
    """

    targets: frozenset[str]
    columns: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)

    def _known(self, target: str) -> bool:
        prefix, dot, key = target.partition(".")
        return target in self.targets or (
            bool(dot and key) and prefix in OBJECT_TARGETS and prefix in self.targets
        )

    def __post_init__(self) -> None:
        unknown = sorted(t for t in set(self.columns) | set(self.defaults) if not self._known(t))
        if unknown:
            raise ValidationFailed(
                f"unknown mapping target {', '.join(unknown)}; "
                f"targets are {', '.join(sorted(self.targets))}",
                field="map",
            )

    def column(self, target: str) -> str:
        return self.columns.get(target, target)

    def get(self, values: dict[str, Any], target: str) -> Any:
        value = values.get(self.column(target))
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.defaults.get(target)
        return value.strip() if isinstance(value, str) else value

    def mapped_columns(self) -> set[str]:
        return {self.column(t) for t in self.targets | set(self.columns)}

    def prefixed(self, values: dict[str, Any], prefix: str) -> dict[str, Any]:
        """The keys of ``prefix`` (``properties``, ``traits``): columns named ``prefix.x``
        and the ``prefix.x`` targets mapped or defaulted."""
        found = prefixed(values, prefix)
        for target in sorted(set(self.columns) | set(self.defaults)):
            name, _dot, key = target.partition(".")
            if name == prefix and key and (value := self.get(values, target)) is not None:
                found[key] = value
        return found


def scalar_text(value: Any) -> str:
    """A cell as text: spreadsheets turn ids and phone numbers into floats (``4155550100.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def json_object(value: Any, target: str) -> dict[str, Any]:
    """A JSON-object cell (``properties``, ``traits``): an object, or text holding one."""
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise FieldError(target, f"is not valid JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise FieldError(target, "must be a JSON object")
    return value


def prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Columns named ``prefix.x`` as ``{x: value}`` (``properties.plan``, ``traits.tier``)."""
    start = len(prefix) + 1
    return {
        k[start:]: v
        for k, v in values.items()
        if k.startswith(prefix + ".") and len(k) > start and v is not None
    }


@dataclass(slots=True)
class Rejection:
    row: Row
    field: str | None
    reason: str


class ErrorFile:
    """A CSV of rejected rows (``row, field, reason`` + the original columns), created on the
    first rejection so a clean import leaves no file behind."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: io.TextIOWrapper | None = None
        self._writer: Any = None
        self._columns: list[str] = []

    def add(self, rejections: Sequence[Rejection]) -> None:
        if not rejections:
            return
        if self._handle is None:
            seen = dict.fromkeys(k for r in rejections for k in r.row.values)
            self._columns = list(seen)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            self._writer = csv.writer(self._handle)
            self._writer.writerow(["row", "field", "reason", *self._columns])
        for r in rejections:
            original = [_text(r.row.values.get(c), "json") for c in self._columns]
            cells = [r.row.number, r.field or "", neutralise(r.reason), *original]
            self._writer.writerow(["" if v is None else v for v in cells])
            self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    def __enter__(self) -> ErrorFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


@dataclass(slots=True)
class ImportSummary:
    rows: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    error_file: Path | None = None
    samples: list[Rejection] = field(default_factory=list)
    """The first few rejections, for a message naming row and field."""


Refusals = list[tuple[int, str | None, str]]
"""Rows a store refused: (position in the batch, field or None, reason)."""
T = TypeVar("T")


def run_batches(
    bind: Engine | Connection,
    rows: Iterable[Row],
    *,
    convert: Callable[[dict[str, Any]], T],
    store: Callable[[Session, list[T]], tuple[int, int, Refusals]],
    errors: ErrorFile,
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
    samples: int = 5,
) -> ImportSummary:
    """Convert and store ``rows`` batch by batch, one committed unit of work per batch.

    ``store`` returns (stored, duplicates, refusals) for a batch. A row that does not convert
    (a :class:`FieldError`) or that the store refuses goes to ``errors``; every other row is
    kept.
    """
    summary = ImportSummary()
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, batch_size)):
        rejected: list[Rejection] = []
        kept: list[tuple[Row, T]] = []
        for row in batch:
            if row.error is not None:
                rejected.append(Rejection(row, None, row.error))
                continue
            try:
                kept.append((row, convert(row.values)))
            except FieldError as exc:
                rejected.append(Rejection(row, exc.field, exc.reason))
        if kept:
            with unit_of_work(bind) as session:
                stored, duplicates, refused = store(session, [item for _, item in kept])
            summary.stored += stored
            summary.duplicates += duplicates
            rejected += [Rejection(kept[i][0], f, reason) for i, f, reason in refused]
        rejected.sort(key=lambda r: r.row.number)
        errors.add(rejected)
        summary.rows += len(batch)
        summary.rejected += len(rejected)
        summary.samples += rejected[: max(samples - len(summary.samples), 0)]
        if progress is not None:
            progress(len(batch))
    summary.error_file = errors.path if errors.count else None
    return summary
