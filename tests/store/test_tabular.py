"""Tabular files: every format round-trips, and spreadsheet formulas never survive an export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cxloop.errors import ValidationFailed
from cxloop.store.tabular import (
    Column,
    ErrorFile,
    Mapping,
    Rejection,
    Row,
    detect_format,
    neutralise,
    read_rows,
    write_rows,
)

COLUMNS = (
    Column("id", "int"),
    Column("text"),
    Column("assisted", "bool"),
    Column("occurred_at", "datetime"),
    Column("properties", "json"),
)
WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
ROWS = [
    {"id": 1, "text": "=HYPERLINK(\"http://evil\")", "assisted": True, "occurred_at": WHEN,
     "properties": {"plan": "Fibre 1G"}},
    {"id": 2, "text": "Grüße, ça va? 👋\nsecond line", "assisted": False, "occurred_at": WHEN,
     "properties": {}},
    {"id": 3, "text": None, "assisted": None, "occurred_at": None, "properties": None},
]  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "xlsx"])
def test_every_format_round_trips(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"data.{fmt}"
    assert write_rows(path, detect_format(path), COLUMNS, iter(ROWS)) == 3

    rows = list(read_rows(path, detect_format(path)))

    assert [r.number for r in rows] == ([1, 2, 3] if fmt in ("jsonl", "parquet") else [2, 3, 4])
    first, second, empty = (r.values for r in rows)
    assert first["text"] == '=HYPERLINK("http://evil")'  # the apostrophe is taken off again
    assert second["text"] == "Grüße, ça va? 👋\nsecond line"
    assert str(first["id"]) == "1"
    assert str(first["assisted"]).lower() == "true"
    assert first["occurred_at"] == "2024-05-01T09:30:00+00:00"
    assert "Fibre 1G" in str(first["properties"])
    assert empty["text"] is None and empty["occurred_at"] is None


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_get_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert neutralise("plain") == "plain"


def test_csv_and_xlsx_cells_are_neutralised_on_disk(tmp_path: Path) -> None:
    write_rows(tmp_path / "out.csv", "csv", COLUMNS, iter(ROWS))
    write_rows(tmp_path / "out.xlsx", "xlsx", COLUMNS, iter(ROWS))

    with (tmp_path / "out.csv").open(newline="") as handle:
        csv_cell = next(iter(csv.DictReader(handle)))["text"]
    sheet = load_workbook(tmp_path / "out.xlsx").worksheets[0]
    xlsx_cell = sheet.cell(row=2, column=2)

    assert csv_cell == '\'=HYPERLINK("http://evil")'
    assert xlsx_cell.value == '\'=HYPERLINK("http://evil")'
    assert xlsx_cell.data_type == "s"  # text, not a formula


def test_broken_jsonl_lines_are_reported_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"a": 1}\n{not json\n[1, 2]\n\n{"a": 2}\n')

    rows = list(read_rows(path, "jsonl"))

    assert [(r.number, r.error is None) for r in rows] == [
        (1, True), (2, False), (3, False), (5, True)
    ]  # fmt: skip


def test_unknown_format_and_mapping_target_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="--format"):
        detect_format(tmp_path / "data.txt")
    with pytest.raises(ValidationFailed, match="unknown mapping target nope"):
        Mapping(frozenset({"email"}), {"nope": "x"})
    assert detect_format(tmp_path / "data.txt", "csv") == "csv"


def test_one_key_of_an_object_target_reads_any_column() -> None:
    mapping = Mapping(
        frozenset({"text", "properties"}),
        {"properties.rating": "Star Rating"},
        {"properties.source": "play"},
    )
    row = {"Star Rating": " 4 ", "properties.lang": "en", "text": "ok"}
    assert mapping.prefixed(row, "properties") == {"lang": "en", "rating": "4", "source": "play"}
    assert "Star Rating" in mapping.mapped_columns()  # not also read as something else
    for bad in ("properties.", "traits.tier", "notes.x"):  # no key; no such object target
        with pytest.raises(ValidationFailed, match=f"unknown mapping target {bad}"):
            Mapping(frozenset({"properties"}), {bad: "x"})


def test_error_file_lists_row_field_reason_and_original_columns(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    with ErrorFile(path) as errors:
        errors.add([Rejection(Row(7, {"email": "nope", "note": "=cmd"}), "email", "bad email")])

    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [
        {"row": "7", "field": "email", "reason": "bad email", "email": "nope", "note": "'=cmd"}
    ]


def test_error_file_is_not_created_without_rejections(tmp_path: Path) -> None:
    with ErrorFile(tmp_path / "errors.csv") as errors:
        errors.add([])
    assert not (tmp_path / "errors.csv").exists()
