"""``cxloop privacy request`` and ``cxloop export audit``: requests and exports leave a trail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxloop.store.tabular import read_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


@pytest.fixture
def customer_id(cli: Cli, tmp_path: Path) -> int:
    path = tmp_path / "people.jsonl"
    record = {
        "message_id": "dsar-1",
        "email": "lea@example.com",
        "channel": "email",
        "occurred_at": "2024-02-01T08:00:00Z",
        "text": "Hi, Lea here",
    }
    path.write_text(json.dumps(record))
    assert cli("import", "interactions", path).exit_code == 0
    out = tmp_path / "ids.jsonl"
    cli("export", "interactions", "--out", out)
    return int(next(r.values["customer_id"] for r in read_rows(out, "jsonl")))  # type: ignore[arg-type]


def test_an_export_request_writes_an_archive(cli: Cli, customer_id: int) -> None:
    result = cli("privacy", "request", "--customer", customer_id, "--kind", "export", "--json")

    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["status"] == "completed"
    archive = json.loads(Path(printed["archive"]).read_text())
    assert archive["interactions"][0]["text"] == "Hi, Lea here"


def test_an_erasure_request_then_the_audit_export_shows_the_trail(
    cli: Cli, customer_id: int, tmp_path: Path
) -> None:
    erased = cli("privacy", "request", "--customer", customer_id, "--kind", "erasure", "--json")
    assert json.loads(erased.stdout)["summary"]["interactions"] >= 1

    out = tmp_path / "audit.csv"
    assert cli("export", "audit", "--out", out).exit_code == 0

    actions = [r.values["action"] for r in read_rows(out, "csv")]
    assert "request.erasure.completed" in actions
    assert "export.interactions" in actions


def test_a_bad_kind_is_a_clear_message(cli: Cli, customer_id: int) -> None:
    result = cli("privacy", "request", "--customer", customer_id, "--kind", "forget")

    assert result.exit_code == 1
    assert "kind must be 'export' or 'erasure'" in result.stderr


def test_a_retention_policy_is_set_then_dry_run_from_the_command_line(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "old.jsonl"
    record = {
        "message_id": "retention-1",
        "email": "old@example.com",
        "channel": "chat",
        "occurred_at": "2020-01-01T08:00:00Z",
        "text": "an old chat",
    }
    path.write_text(json.dumps(record))
    assert cli("import", "interactions", path).exit_code == 0
    assert cli("privacy", "policy", "--kind", "raw_text", "--days", "1").exit_code == 0

    result = cli("privacy", "retention", "--dry-run", "--json")

    assert result.exit_code == 0, result.stderr
    [outcome] = json.loads(result.stdout)["policies"]
    assert (outcome["kind"], outcome["dry_run"]) == ("raw_text", True)
    assert outcome["affected"] >= 1
    assert f"would change {outcome['affected']}" in result.stderr
