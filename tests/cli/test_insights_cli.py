"""``cxloop metric`` and ``cxloop export lake`` on a committed database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxloop.insights import read_lake
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


@pytest.fixture
def stored(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "seed.jsonl"
    records = [
        {"message_id": f"lake-{i}", "user_id": f"u-{i}", "channel": ["web", "phone"][i % 2],
         "occurred_at": f"2026-0{i % 2 + 1}-1{i}T08:00:00Z"}
        for i in range(6)
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r) for r in records))
    assert cli("import", "interactions", path).exit_code == 0


@pytest.mark.usefixtures("stored")
def test_export_lake_writes_month_partitions_duckdb_reads_back(cli: Cli, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = cli("export", "lake", lake, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"]["interactions"] >= 6 and report["rows"]["responses"] == 0
    assert (lake / "interactions" / "month=2026-01").is_dir()
    assert (lake / "interactions" / "month=2026-02").is_dir()
    interactions = read_lake(lake).table("interactions")
    assert interactions.count().to_pyarrow().as_py() == report["rows"]["interactions"]


@pytest.mark.usefixtures("stored")
def test_metric_show_prints_one_json_object(cli: Cli) -> None:
    result = cli(
        "metric", "show", "volume", "--by", "channel",
        "--from", "2026-01-01", "--to", "2026-03-01", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    counts = {g["key"]["channel"]: g["current"]["n"] for g in body["groups"]}
    assert counts == {"phone": 3, "web": 3}
    text = cli("metric", "show", "nps", "--from", "2026-01-01", "--to", "2026-03-01").stdout
    assert text == "total: n=0 no data\n"


def test_metric_list_and_an_unknown_metric(cli: Cli) -> None:
    listed = json.loads(cli("metric", "list", "--json").stdout)
    assert "nps" in {m["name"] for m in listed["metrics"]}
    unknown = cli("metric", "show", "happiness")
    assert unknown.exit_code == 1 and "no metric named 'happiness'" in unknown.stderr


@pytest.mark.usefixtures("stored")
def test_alert_check_needs_one_rule_and_prints_one_json_object(cli: Cli) -> None:
    assert "exactly one of" in cli("alert", "check", "nps", "--drop", "--rise").stderr
    # The seed is dated January and February 2026 and the window ends now: 400 days stops
    # covering it on 2027-02-14 (ten years do until 2036).
    rule = ("alert", "check", "volume", "--by", "channel", "--days", "3650", "--json")
    fired = cli(*rule, "--above", "2")
    assert fired.exit_code == 0, fired.stderr
    body = json.loads(fired.stdout)
    assert sorted(a["key"]["channel"] for a in body["alerts"]) == ["phone", "web"]
    assert body["checked"] == 2 and body["alerts"][0]["link"].startswith("/dashboard?metric=volume")
    assert json.loads(cli(*rule, "--above", "3").stdout)["alerts"] == []
