"""``cxloop export``: every format, every interaction with its customer_id and message_id."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cxloop.store.tabular import read_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


@pytest.fixture
def stored(cli: Cli, tmp_path: Path) -> list[str]:
    path = tmp_path / "seed.jsonl"
    records = [
        {"message_id": f"export-{i}", "user_id": f"u-{i % 3}", "channel": "chat",
         "occurred_at": f"2024-01-0{i + 1}T08:00:00Z", "text": f"=cmd {i}",
         "properties": {"n": i}}
        for i in range(5)
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in records))
    assert cli("import", "interactions", path).exit_code == 0
    return [r["message_id"] for r in records]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "xlsx"])
def test_interactions_export_carries_customer_and_message_ids(
    cli: Cli, tmp_path: Path, stored: list[str], fmt: str
) -> None:
    out = tmp_path / f"interactions.{fmt}"

    result = cli("export", "interactions", "--format", fmt, "--out", out, "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["file"] == str(out)
    rows = {r.values["message_id"]: r.values for r in read_rows(out, fmt)}  # type: ignore[arg-type]
    assert set(stored) <= set(rows)
    mine = [rows[m] for m in stored]
    assert all(int(r["customer_id"]) > 0 for r in mine)
    assert len({r["customer_id"] for r in mine}) == 3  # u-0, u-1, u-2
    assert mine[0]["occurred_at"] == "2024-01-01T08:00:00+00:00"
    assert mine[2]["text"] == "=cmd 2"
    ids = [int(r.values["id"]) for r in read_rows(out, fmt)]  # type: ignore[arg-type]
    assert ids == sorted(ids)


def test_export_reimports_without_duplicates(cli: Cli, tmp_path: Path, stored: list[str]) -> None:
    out = tmp_path / "all.parquet"
    cli("export", "interactions", "--out", out)

    again = json.loads(cli("import", "interactions", out, "--json").stdout)

    assert again["stored"] == 0 and again["rejected"] == 0
    assert again["duplicates"] == again["rows"] >= len(stored)


def test_unknown_extension_needs_format(cli: Cli, tmp_path: Path) -> None:
    result = cli("export", "customers", "--out", tmp_path / "x.txt")
    assert result.exit_code == 1
    assert "--format" in result.stderr
    assert not (tmp_path / "x.txt").exists()


HOSTILE = ['=HYPERLINK("http://evil")', "+SUM(A1)", "-2+3", "@SUM(A1)"]


def _raw_cells(path: Path) -> list[str]:
    """Every text cell as a spreadsheet program reads it from the file itself."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [cell for row in csv.reader(handle) for cell in row]
    sheet = load_workbook(path).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # no formula cell at all
    return [str(cell.value) for cell in cells if isinstance(cell.value, str)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("what", ["interactions", "customers"])
def test_spreadsheet_formulas_a_customer_sent_are_neutralised_in_every_export(
    cli: Cli, tmp_path: Path, fmt: str, what: str
) -> None:
    """Names and texts starting with =, +, - or @ leave as text a spreadsheet shows, never
    as a formula it runs (they read back unchanged through cxloop's own import)."""
    seed = tmp_path / "hostile.jsonl"
    seed.write_text("\n".join(
        json.dumps({"message_id": f"evil-{what}-{fmt}-{n}", "user_id": f"evil-{n}",
                    "channel": "chat", "occurred_at": "2024-02-01T08:00:00Z", "text": value,
                    "traits": {"name": value}})
        for n, value in enumerate(HOSTILE)
    ))  # fmt: skip
    assert cli("import", "interactions", seed).exit_code == 0
    out = tmp_path / f"{what}.{fmt}"

    assert cli("export", what, "--format", fmt, "--out", out).exit_code == 0

    cells = _raw_cells(out)
    for value in HOSTILE:
        assert value not in cells and f"'{value}" in cells, value
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]
