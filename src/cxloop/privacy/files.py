"""Files cxloop wrote (exports and the Parquet lake), found again when a person is erased.

Every export is audited with its path (``export.<what>``, target ``file`` or ``directory``),
so the audit log is also the list of files to reach: an erasure rewrites each one still on
disk without the person's personal data, the way it treats the tables. Rows are matched by
``customer_id``, which every export and lake table that concerns a person carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import ValidationFailed
from cxloop.privacy.audit import audit
from cxloop.privacy.models import AuditEntry
from cxloop.store.files import replace_file
from cxloop.store.tabular import Column, Format, detect_format, read_rows, write_rows

PERSONAL_COLUMNS = frozenset(
    {"name", "email", "phone", "traits", "identities", "text", "properties"}
)
"""Columns holding what a person is or wrote; an anonymizing erasure empties them."""
KEY = "customer_id"
FILE, DIRECTORY = "file", "directory"


def record_export(session: Session, *, actor: str, what: str, path: Path, **detail: Any) -> None:
    """Audit a file or folder cxloop wrote, so that later erasures reach it."""
    audit(
        session,
        actor=actor,
        action=f"export.{what}",
        target_type=DIRECTORY if path.is_dir() else FILE,
        target_id=str(path.resolve()),
        **detail,
    )


def written_files(session: Session) -> Iterator[Path]:
    """Every exported file still on disk, those inside exported folders included."""
    seen: set[str] = set()
    rows = session.execute(
        select(AuditEntry.target_type, AuditEntry.target_id).where(
            AuditEntry.action.like("export.%"), AuditEntry.target_type.in_((FILE, DIRECTORY))
        )
    )
    for kind, target in rows:
        if target is None or target in seen:
            continue
        seen.add(target)
        path = Path(target)
        if kind == DIRECTORY and path.is_dir():
            yield from sorted(path.rglob("*.parquet"))
        elif kind == FILE and path.is_file():
            yield path


def erase_from_files(session: Session, customer_ids: list[int], *, mode: str) -> int:
    """Rewrite every exported file holding the person; returns how many files changed."""
    changed = 0
    for path in written_files(session):
        try:
            fmt = detect_format(path)
        except ValidationFailed:  # not a format cxloop writes: nothing of ours inside
            continue
        changed += (
            _erase_parquet(path, customer_ids, mode)
            if fmt == "parquet"
            else _erase_rows(path, fmt, customer_ids, mode)
        )
    return changed


def _erase_parquet(path: Path, customer_ids: list[int], mode: str) -> int:
    table = pq.read_table(path, partitioning=None)
    if KEY not in table.column_names:
        return 0
    hit = pc.fill_null(pc.is_in(table[KEY], value_set=pa.array(customer_ids, pa.int64())), False)
    if not pc.any(hit).as_py():
        return 0
    if mode == "delete":
        table = table.filter(pc.invert(hit))
    else:
        for name in PERSONAL_COLUMNS & set(table.column_names):
            column = table[name]
            emptied = pc.if_else(hit, pa.scalar(None, column.type), column)
            table = table.set_column(table.column_names.index(name), name, emptied)
    replace_file(path, lambda target: pq.write_table(table, target))
    return 1


def _erase_rows(path: Path, fmt: Format, customer_ids: list[int], mode: str) -> int:
    wanted = {str(c) for c in customer_ids}
    rows = [r.values for r in read_rows(path, fmt) if r.error is None]
    if not rows or not any(str(r.get(KEY)) in wanted for r in rows):
        return 0
    kept: list[dict[str, Any]] = []
    for row in rows:
        if str(row.get(KEY)) not in wanted:
            kept.append(row)
        elif mode != "delete":
            kept.append({k: None if k in PERSONAL_COLUMNS else v for k, v in row.items()})
    columns = [Column(name) for name in rows[0]]
    replace_file(path, lambda target: write_rows(target, fmt, columns, kept))
    return 1
