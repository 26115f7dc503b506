"""``cxloop import``: valid rows kept, rejected rows listed with row and field, no duplicates."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cxloop.store.tabular import Column, write_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401

ROWS = [
    {"E-mail": "ann{n}@example.com", "channel": "email", "stage": "support",
     "occurred_at": "2024-05-01T10:00:00Z", "text": "My bill is wrong", "properties.order": "A1"},
    {"E-mail": "not-an-email", "channel": "chat", "stage": "support",
     "occurred_at": "2024-05-02T10:00:00Z", "text": "hi", "properties.order": None},
    {"E-mail": "bob{n}@example.com", "channel": "fax", "stage": "support",
     "occurred_at": "2024-05-02T10:00:00Z", "text": "hi", "properties.order": None},
    {"E-mail": "cat{n}@example.com", "channel": "phone", "stage": None,
     "occurred_at": "last tuesday", "text": None, "properties.order": None},
    {"E-mail": "dan{n}@example.com", "channel": "phone", "stage": "purchase",
     "occurred_at": "2024-05-03 08:00", "text": "Called to order", "properties.order": "B2"},
]  # fmt: skip
COLUMNS = [Column(name) for name in ROWS[0]]


def mixed_file(tmp_path: Path, fmt: str, n: int) -> Path:
    rows = [{k: v.format(n=n) if isinstance(v, str) else v for k, v in r.items()} for r in ROWS]
    path = tmp_path / f"interactions.{fmt}"
    write_rows(path, fmt, COLUMNS, iter(rows))  # type: ignore[arg-type]
    return path


FORMATS = ["csv", "jsonl", "parquet", "xlsx"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_valid_rows_are_kept_and_rejects_listed(cli: Cli, tmp_path: Path, fmt: str) -> None:
    # Each format its own addresses in the module's shared database. Not hash(fmt) % 10_000:
    # str hashes change every run, and two formats drawing the same number found the other's
    # rows already imported (about 6 runs in 10,000).
    path = mixed_file(tmp_path, fmt, n=100 + FORMATS.index(fmt))
    first_row = 2 if fmt in ("csv", "xlsx") else 1

    result = cli("import", "interactions", path, "--map", "email=E-mail", "--json")

    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["stored"], summary["rejected"], summary["duplicates"]) == (2, 3, 0)
    with Path(summary["error_file"]).open(newline="") as handle:
        errors = list(csv.DictReader(handle))
    assert [(int(e["row"]) - first_row, e["field"]) for e in errors] == [
        (1, "email"), (2, "channel"), (3, "occurred_at")
    ]  # fmt: skip
    assert "not an email address" in errors[0]["reason"]
    assert errors[0]["E-mail"] == "not-an-email"
    assert f"row {first_row + 2}, field channel" in result.stderr

    again = json.loads(
        cli("import", "interactions", path, "--map", "email=E-mail", "--json").stdout
    )
    assert (again["stored"], again["duplicates"], again["rejected"]) == (0, 2, 3)


def test_unknown_mapping_target_fails_clearly(cli: Cli, tmp_path: Path) -> None:
    path = mixed_file(tmp_path, "csv", n=1)
    result = cli("import", "interactions", path, "--map", "mail=E-mail")
    assert result.exit_code == 1
    assert "unknown mapping target mail" in result.stderr


def test_defaults_fill_missing_columns(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("phone,when,notes\n+44 7700 900123,2024-06-01T12:00:00Z,Asked for a refund\n")

    result = cli(
        "import", "interactions", path, "--map", "occurred_at=when", "--map", "text=notes",
        "--default", "channel=phone", "--default", "type=call", "--json",
    )  # fmt: skip

    assert json.loads(result.stdout)["stored"] == 1, result.stderr
    exported = tmp_path / "out.jsonl"
    cli("export", "interactions", "--format", "jsonl", "--out", exported)
    calls = [json.loads(line) for line in exported.read_text().splitlines()]
    call = next(c for c in calls if c["text"] == "Asked for a refund")
    assert (call["channel"], call["type"]) == ("phone", "call")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customers_import_upserts_traits_and_lists_rejects(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"customers.{fmt}"
    columns = [Column(c) for c in ("email", "crm", "plan", "name")]
    rows = [
        {"email": f"eve-{fmt}@example.com", "crm": f"C-{fmt}", "plan": "Fibre 1G", "name": "Eve"},
        {"email": None, "crm": None, "plan": "Mobile", "name": "Nobody"},
    ]
    write_rows(path, fmt, columns, iter(rows))  # type: ignore[arg-type]
    args = ("import", "customers", path, "--map", "external_id=crm")

    first = cli(*args, "--default", "external_system=crm", "--json")
    missing_system = cli(*args, "--json")

    assert json.loads(first.stdout) | {"error_file": None} == {
        "rows": 2, "stored": 1, "duplicates": 0, "rejected": 1, "error_file": None
    }  # fmt: skip
    assert "field identities" in first.stderr
    assert "field external_system" in missing_system.stderr
    out = tmp_path / "customers.jsonl"
    cli("export", "customers", "--out", out)
    eve = next(
        c for c in map(json.loads, out.read_text().splitlines())
        if c["email"] == f"eve-{fmt}@example.com"
    )  # fmt: skip
    assert eve["traits"] == {"plan": "Fibre 1G", "name": "Eve"}
    assert {"kind": "external", "namespace": "crm", "value": f"C-{fmt}"} in eve["identities"]
