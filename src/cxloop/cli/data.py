"""``cxloop import`` and ``cxloop export``: bulk files in and out.

Imports keep every valid row and list the others, with row number, field and reason, in an
error file a person can fix and import again. Progress goes to stderr so ``--json`` keeps
stdout to one object.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from cxloop.cli.output import cli_actor, emit_json, err, fail, progress
from cxloop.customers import (
    CUSTOMER_COLUMNS,
    Customer,
    customer_mapping,
    import_customers,
    iter_customers,
)
from cxloop.errors import CxloopError
from cxloop.interactions import (
    INTERACTION_COLUMNS,
    Interaction,
    import_interactions,
    interaction_mapping,
    iter_interactions,
)
from cxloop.privacy import AUDIT_COLUMNS, AuditEntry, audit_rows, record_export
from cxloop.settings import get_settings
from cxloop.store import uow
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade
from cxloop.store.tabular import (
    Column,
    ErrorFile,
    ImportSummary,
    Mapping,
    Row,
    count_rows,
    detect_format,
    parse_assignments,
    read_rows,
    write_rows,
)

import_app = typer.Typer(
    help="Import customers or interactions from CSV, JSONL, Parquet or XLSX.",
    no_args_is_help=True,
)
export_app = typer.Typer(
    help="Export customers or interactions to CSV, JSONL, Parquet or XLSX.",
    no_args_is_help=True,
)


class FileFormat(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    xlsx = "xlsx"


FileArg = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to import.")
]
FormatOpt = Annotated[
    FileFormat | None,
    typer.Option("--format", help="File format (default: from the file extension)."),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="TARGET=COLUMN: read field TARGET from COLUMN. Repeatable."),
]
DefaultOpt = Annotated[
    list[str] | None,
    typer.Option("--default", help="TARGET=VALUE for rows without that field. Repeatable."),
]
ErrorsOpt = Annotated[
    Path | None,
    typer.Option("--errors", help="CSV listing rejected rows (default: FILE.errors.csv)."),
]
BatchOpt = Annotated[int, typer.Option(min=1, max=50_000, help="Rows per committed batch.")]
RegionOpt = Annotated[
    str | None,
    typer.Option(help="Country (e.g. GB) for phone numbers written without +country code."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON summary object.")]
OutOpt = Annotated[Path, typer.Option("--out", dir_okay=False, help="File to write.")]


def _engine() -> Engine:
    url = get_settings().resolved_database_url
    upgrade(url)
    return get_engine(url)


Importer = Callable[..., ImportSummary]


def _import(
    what: str,
    file: Path,
    *,
    fmt: FileFormat | None,
    mapping: Callable[[dict[str, str], dict[str, str]], Mapping],
    importer: Importer,
    maps: list[str] | None,
    defaults: list[str] | None,
    errors: Path | None,
    batch_size: int,
    phone_region: str | None,
    as_json: bool,
) -> None:
    try:
        file_format = detect_format(file, fmt)
        columns = mapping(
            parse_assignments(maps or [], "--map"), parse_assignments(defaults or [], "--default")
        )
        errors_path = errors or file.with_name(file.name + ".errors.csv")
        engine = _engine()
        with (
            ErrorFile(errors_path) as error_file,
            progress(f"importing {what}", count_rows(file, file_format)) as advance,
        ):
            rows: Iterable[Row] = read_rows(file, file_format)
            summary = importer(
                engine,
                rows,
                mapping=columns,
                errors=error_file,
                batch_size=batch_size,
                progress=advance,
                phone_region=phone_region,
            )
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    except (OSError, ValueError) as exc:
        raise fail(f"cannot read {file}: {exc}") from exc
    _report_import(what, summary, as_json)


def _report_import(what: str, summary: ImportSummary, as_json: bool) -> None:
    error_file = str(summary.error_file) if summary.error_file else None
    for sample in summary.samples:
        field = f", field {sample.field}" if sample.field else ""
        err.print(f"row {sample.row.number}{field}: {sample.reason}", highlight=False)
    if summary.rejected > len(summary.samples):
        err.print(f"… and {summary.rejected - len(summary.samples)} more rejected rows")
    err.print(
        f"{what}: {summary.stored} stored, {summary.duplicates} already there, "
        f"{summary.rejected} rejected" + (f" (listed in {error_file})" if error_file else ""),
        highlight=False,
    )
    if as_json:
        emit_json(
            {
                "rows": summary.rows,
                "stored": summary.stored,
                "duplicates": summary.duplicates,
                "rejected": summary.rejected,
                "error_file": error_file,
            }
        )


@import_app.command("interactions")
def import_interactions_command(
    file: FileArg,
    fmt: FormatOpt = None,
    maps: MapOpt = None,
    defaults: DefaultOpt = None,
    errors: ErrorsOpt = None,
    batch_size: BatchOpt = 2_000,
    phone_region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store each row as an interaction; rows already imported are skipped (by message_id)."""
    _import(
        "interactions",
        file,
        fmt=fmt,
        mapping=interaction_mapping,
        importer=import_interactions,
        maps=maps,
        defaults=defaults,
        errors=errors,
        batch_size=batch_size,
        phone_region=phone_region,
        as_json=as_json,
    )


@import_app.command("customers")
def import_customers_command(
    file: FileArg,
    fmt: FormatOpt = None,
    maps: MapOpt = None,
    defaults: DefaultOpt = None,
    errors: ErrorsOpt = None,
    batch_size: BatchOpt = 2_000,
    phone_region: RegionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create or update one customer per row: identity columns find the person, every other
    column becomes a trait."""
    _import(
        "customers",
        file,
        fmt=fmt,
        mapping=customer_mapping,
        importer=import_customers,
        maps=maps,
        defaults=defaults,
        errors=errors,
        batch_size=batch_size,
        phone_region=phone_region,
        as_json=as_json,
    )


def _export(
    what: str,
    out: Path,
    fmt: FileFormat | None,
    columns: tuple[Column, ...],
    rows: Callable[[Session], Iterator[dict[str, Any]]],
    count: Select[Any],
    as_json: bool,
) -> None:
    try:
        file_format = detect_format(out, fmt)
        partial = out.with_name(out.name + ".partial")
        with uow.unit_of_work(_engine(), write=False) as session:
            total = int(session.scalar(count) or 0)
            with progress(f"exporting {what}", total) as advance:

                def tracked() -> Iterator[dict[str, Any]]:
                    for row in rows(session):
                        advance(1)
                        yield row

                written = write_rows(partial, file_format, columns, tracked())
        partial.replace(out)
        with uow.unit_of_work(_engine()) as session:
            record_export(
                session, actor=cli_actor(), what=what, path=out, rows=written, format=file_format
            )
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc}") from exc
    err.print(f"exported {written} {what} to {out}", highlight=False)
    if as_json:
        emit_json({"exported": written, "file": str(out), "format": file_format})


@export_app.command("interactions")
def export_interactions_command(
    out: OutOpt, fmt: FormatOpt = None, as_json: JsonOpt = False
) -> None:
    """Every interaction, oldest id first, with customer_id and message_id."""
    count = select(func.count()).select_from(Interaction)
    _export("interactions", out, fmt, INTERACTION_COLUMNS, iter_interactions, count, as_json)


@export_app.command("audit")
def export_audit_command(out: OutOpt, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """The audit log, oldest first (sign-ins, permission changes, exports, requests...)."""
    count = select(func.count()).select_from(AuditEntry)
    _export("audit", out, fmt, AUDIT_COLUMNS, audit_rows, count, as_json)


@export_app.command("customers")
def export_customers_command(out: OutOpt, fmt: FormatOpt = None, as_json: JsonOpt = False) -> None:
    """Every customer (merged-away ones excluded) with traits and identities."""
    count = select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))
    _export("customers", out, fmt, CUSTOMER_COLUMNS, iter_customers, count, as_json)
