"""`cxloop cases router-train` and `router-eval`, through the real command line app on a
SQLite database of its own and the real encoder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.settings import get_settings
from cxloop.store import uow
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade
from tests.cases.factories import routed_history
from tests.cli.audited import deployments
from tests.understanding.factories import INTENT_EXAMPLES, models_dir, write_labelled

Run = Callable[..., Result]
DEPARTMENT_OF = {"refund": "billing", "delivery": "delivery", "password": "accounts"}
HELD_OUT = [
    ("I still have not received my package", "delivery"),
    ("send my money back", "billing"),
    ("I can't sign in, wrong password", "accounts"),
    ("the shop assistant was rude", "stores"),
]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXLOOP_DATABASE_URL", "")
    monkeypatch.setenv("CXLOOP_MODEL_DIR", str(models_dir(tmp_path / "models")))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_train_on_past_cases_then_measure_on_new_texts(run: Run, tmp_path: Path) -> None:
    url = get_settings().resolved_database_url
    upgrade(url)
    with uow.unit_of_work(get_engine(url)) as session:
        routed_history(session)

    trained = run("cases", "router-train", "--json")

    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["source"] == "database" and report["n"] == 24
    assert report["labels"] == ["accounts", "billing", "delivery"]
    assert report["accuracy"] >= 0.8 and report["at_threshold"]["threshold"] == 0.6
    assert Path(report["model"]) == tmp_path / "models" / "router"
    assert "reading past cases" in trained.stderr

    held_out = write_labelled(tmp_path / "new.csv", HELD_OUT, header=("body", "department"))
    measured = run(
        "cases",
        "router-eval",
        "--data",
        str(held_out),
        "--text-col",
        "body",
        "--label-col",
        "department",
        "--json",
    )

    assert measured.exit_code == 0, measured.output
    figures = json.loads(measured.stdout)
    assert figures["n"] == 4 and figures["model"] == report["version"]
    assert figures["accuracy"] == 0.75  # the three it knows; stores is a miss
    assert figures["unknown_departments"] == {"stores": 1}
    assert set(figures["at_threshold"]) == {
        "threshold",
        "routed",
        "triage",
        "n_routed",
        "accuracy_routed",
    }


def test_train_from_another_help_desks_export(run: Run, tmp_path: Path) -> None:
    rows = [
        (text, DEPARTMENT_OF[intent]) for intent, texts in INTENT_EXAMPLES.items() for text in texts
    ]
    export = write_labelled(tmp_path / "old-desk.csv", rows, header=("body", "team"))

    trained = run(
        "cases", "router-train", "--data", str(export), "--text-col", "body", "--label-col", "team"
    )

    assert trained.exit_code == 0, trained.output
    assert trained.stdout == ""
    assert "n=24" in trained.stderr and "5-fold stratified cross-validation" in trained.stderr
    assert "* threshold 0.60:" in trained.stderr
    assert json.loads((tmp_path / "models" / "router" / "card.json").read_text())["source"] == (
        "old-desk.csv"
    )
    again = run("cases", "router-train", "--data", str(export), "--text-col", "body",
                "--label-col", "team")  # fmt: skip
    assert again.exit_code == 0, again.output
    assert deployments() == [
        ("router", {"task": "router", "source": "old-desk.csv", "replaced": False}),
        ("router", {"task": "router", "source": "old-desk.csv", "replaced": True}),
    ]


def test_what_it_refuses(run: Run, tmp_path: Path) -> None:
    empty = run("cases", "router-train", "--json")
    assert empty.exit_code == 1 and empty.stdout == ""
    assert "the router needs at least 2 departments with 5 or more cases" in empty.stderr
    assert "found 0 examples (none)" in empty.stderr
    assert deployments() == []  # nothing was deployed, so nothing is audited

    stray = run("cases", "router-train", "--text-col", "body")
    assert stray.exit_code == 1 and "--text-col and --label-col go with --data" in stray.stderr

    data = write_labelled(tmp_path / "x.csv", HELD_OUT)
    nothing = run(
        "cases", "router-eval", "--data", str(data), "--text-col", "text", "--label-col", "label"
    )
    assert nothing.exit_code == 1 and "no router is deployed yet" in nothing.stderr

    wrong_column = run(
        "cases", "router-eval", "--data", str(data), "--text-col", "body", "--label-col", "label"
    )
    assert wrong_column.exit_code == 1 and "no column 'body'" in wrong_column.stderr
