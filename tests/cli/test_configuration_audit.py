"""Configuration changed from the command line is audited once per change by the same hook
as the API's, under ``cli:<account>``, with the values before and after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cxloop.store.tabular import read_rows
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


def _audit(cli: Cli, out: Path) -> list[dict[str, Any]]:
    assert cli("export", "audit", "--out", out).exit_code == 0
    return [r.values for r in read_rows(out, "jsonl")]


def test_a_retention_policy_set_changed_and_removed_leaves_one_entry_each(
    cli: Cli, tmp_path: Path
) -> None:
    for args in (["--days", "365"], ["--days", "90", "--action", "delete"], ["--remove"]):
        assert cli("privacy", "policy", "--kind", "responses", *args).exit_code == 0

    entries = [e for e in _audit(cli, tmp_path / "a.jsonl") if e["target_id"] == "responses"]

    assert [e["action"] for e in entries] == [
        "retention_policy.created",
        "retention_policy.changed",
        "retention_policy.removed",
    ]
    assert {e["actor"].split(":")[0] for e in entries} == {"cli"}
    assert entries[1]["detail"]["before"] == {"days": 365, "action": "anonymize"}
    assert entries[1]["detail"]["after"] == {"days": 90, "action": "delete"}
    assert entries[2]["detail"]["before"]["days"] == 90


def test_a_source_made_from_the_command_line_is_audited_without_its_key(
    cli: Cli, tmp_path: Path
) -> None:
    made = cli("source", "create", "--name", "shop-cli", "--json")
    assert made.exit_code == 0, made.stderr

    [entry] = [
        e for e in _audit(cli, tmp_path / "b.jsonl")
        if e["action"] == "source.created" and e["detail"]["after"]["name"] == "shop-cli"
    ]  # fmt: skip
    assert entry["actor"].startswith("cli:")
    assert entry["detail"]["after"]["write_key_hash"] == "[secret]"
    assert made.stdout.split('"write_key":"')[1].split('"')[0] not in str(entry)
