"""A customer file read for a churn model: feature columns, ids and labels by row.

The user's file is the whole contract (every column but the label and the id is a feature),
so every problem is reported with the row a person sees in a spreadsheet and the column's
name, before any model is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxloop.errors import ValidationFailed
from cxloop.store.tabular import detect_format, read_rows

Cell = str | float | None
# What spreadsheets and statistics packages write for "no value".
BLANKS = frozenset({"", "na", "n/a", "nan", "null", "none"})


def cell(value: Any) -> Cell:
    """A file's value as text or number; every spelling of "no value" is None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return None if text.lower() in BLANKS else text


@dataclass(frozen=True)
class Table:
    """Rows of a file by column. ``labels`` is None when the file is only scored."""

    columns: dict[str, list[Cell]]
    row_numbers: list[int]
    ids: list[str] | None
    labels: list[str] | None

    def __len__(self) -> int:
        return len(self.row_numbers)


def _missing(column: str, option: str, seen: list[str]) -> ValidationFailed:
    return ValidationFailed(
        f"no column '{column}' ({option}); columns: {', '.join(seen)}", field=option
    )


def _required_text(value: Cell, column: str, number: int) -> str:
    if value is None:
        raise ValidationFailed(f"row {number}: column '{column}' is empty", field=column)
    return label_text(value)


def label_text(value: Cell) -> str:
    """Labels and ids as text; 1.0 read from a typed file is the same label as "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, *, label_col: str | None, id_col: str | None) -> Table:
    """Every row of ``path``; a missing label or id column, an empty label or id, or a
    repeated id is an error naming the row."""
    if not path.is_file():
        raise ValidationFailed(f"no such file: {path}", field="data")
    records: list[tuple[int, dict[str, Cell]]] = []
    names: dict[str, None] = {}
    for row in read_rows(path, detect_format(path)):
        if row.error:
            raise ValidationFailed(f"row {row.number}: {row.error}", field="data")
        records.append((row.number, {k: cell(v) for k, v in row.values.items()}))
        names.update(dict.fromkeys(row.values))
    if not records:
        raise ValidationFailed(f"'{path.name}' has no rows", field="data")
    seen = list(names)
    for column, option in ((label_col, "--label-col"), (id_col, "--id-col")):
        if column is not None and column not in names:
            raise _missing(column, option, seen)
    labels: list[str] | None = None if label_col is None else []
    ids: list[str] | None = None if id_col is None else []
    first_row: dict[str, int] = {}
    for number, values in records:
        if labels is not None and label_col is not None:
            labels.append(_required_text(values.get(label_col), label_col, number))
        if ids is not None and id_col is not None:
            key = _required_text(values.get(id_col), id_col, number)
            if key in first_row:
                raise ValidationFailed(
                    f"row {number}: id '{key}' in column '{id_col}' repeats row {first_row[key]}",
                    field=id_col,
                )
            first_row[key] = number
            ids.append(key)
    features = [n for n in seen if n not in (label_col, id_col)]
    return Table(
        columns={name: [values.get(name) for _, values in records] for name in features},
        row_numbers=[number for number, _ in records],
        ids=ids,
        labels=labels,
    )
