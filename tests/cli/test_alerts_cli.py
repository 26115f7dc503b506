"""``cxloop alert add|list|remove|run``, ``cxloop report add|list|remove`` and
``cxloop metric export`` on a committed database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from cxloop.settings import get_settings
from tests.outreach.smtp_server import Inbox
from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401


def test_a_rule_is_added_listed_and_removed(cli: Cli) -> None:
    added = cli(
        "alert", "add", "Store NPS falls", "--metric", "nps", "--drop", "--filter",
        "channel:store", "--to", "cx-team@example.com", "--json",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    rule = json.loads(added.stdout)
    assert (rule["kind"], rule["filters"], rule["threshold"]) == ("drop", ["channel:store"], None)
    listed = cli("alert", "list").stdout
    assert listed == f"{rule['id']}  Store NPS falls: nps drop over 7 days\n"
    assert cli("alert", "remove", str(rule["id"])).exit_code == 0
    assert json.loads(cli("alert", "list", "--json").stdout) == {"alerts": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metric", "nsp", "--drop"], "no metric named 'nsp'"),
        (["--metric", "nps", "--drop", "--below", "3"], "exactly one of --below"),
        (["--metric", "nps", "--drop", "--user", "nobody@example.com"], "--user nobody@example"),
        (["--metric", "nps", "--drop", "--to", "not-an-address"], "addresses.0:"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_saying_what_to_fix(
    cli: Cli, args: list[str], message: str
) -> None:
    result = cli("alert", "add", "bad", *args, "--to", "cx@example.com")
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())


def test_a_due_report_goes_out_once_when_run_by_hand(
    cli: Cli, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXLOOP_SMTP_PORT", str(inbox.port))
    get_settings.cache_clear()
    added = cli("report", "add", "Daily", "--metric", "nps", "--frequency", "daily", "--to",
                "board@example.com")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert "Daily: daily, nps" in cli("report", "list").stdout
    first = json.loads(cli("alert", "run", "--json").stdout)
    again = json.loads(cli("alert", "run", "--json").stdout)
    assert (first["reports_sent"], again["reports_sent"]) == (1, 0)
    [mail] = inbox.messages
    assert "Net Promoter Score: no data (n=0)" in mail.get_content()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_any_metric_table_exports_as_csv_xlsx_or_parquet(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"volume.{fmt}"
    result = cli("metric", "export", "volume", "--by", "channel", "--format", fmt, "--out", out,
                 "--from", "2026-01-01", "--to", "2026-02-01", "--json")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"file": str(out), "format": fmt, "rows": 1}
    if fmt == "csv":
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    elif fmt == "parquet":
        rows = pq.read_table(out).to_pylist()
    else:
        book = load_workbook(out)
        sheet = book.active
        header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
        rows = [dict(zip(header, r, strict=True)) for r in values]
        book.close()
    assert [(r["metric"], r["channel"], str(r["n"])) for r in rows] == [("volume", "(all)", "0")]


def test_an_unknown_export_format_is_refused(cli: Cli, tmp_path: Path) -> None:
    result = cli("metric", "export", "nps", "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 1 and "use one of csv, jsonl, parquet, xlsx" in result.stderr
