"""`cxloop model train --task churn`, `model eval` and `model score` through the real command
line app: one JSON object on stdout, clear errors on stderr."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.settings import get_settings
from tests.proactive.factories import customers, write_customers

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXLOOP_DATABASE_URL", "")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, [str(a) for a in args])
    get_settings.cache_clear()


def train(run: Run, data: Path, out: Path, *extra: str) -> Result:
    return run(
        "model", "train", "--task", "churn", "--data", data, "--label-col", "churned",
        "--id-col", "customer", "--out", out, *extra,
    )  # fmt: skip


def test_train_eval_and_score_a_churn_model(run: Run, tmp_path: Path) -> None:
    data = write_customers(tmp_path / "history.csv", customers(300, seed=0))
    out = tmp_path / "churn-model"
    trained = train(run, data, out, "--json")
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["task"] == "churn" and report["n"] == 300
    assert report["roc_auc"] > 0.7 and "brier" in report and "roc_auc" in report["baseline"]
    assert json.loads((out / "card.json").read_text())["task"] == "churn"

    newer = write_customers(tmp_path / "newer.csv", customers(120, seed=5))
    evaluated = run(
        "model", "eval", "--model", out, "--data", newer, "--label-col", "churned", "--json"
    )
    assert evaluated.exit_code == 0, evaluated.output
    figures = json.loads(evaluated.stdout)
    assert figures["n"] == 120 and 0.5 < figures["roc_auc"] <= 1 and 0 < figures["brier"] < 1
    history = json.loads((out / "card.json").read_text())["evaluations"]
    assert [(e["data"], e["n"], e["roc_auc"]) for e in history] == [
        ("newer.csv", 120, figures["roc_auc"])
    ]

    scored = run("model", "score", "--model", out, "--data", newer, "--top", "2", "--json")
    assert scored.exit_code == 0, scored.output
    scores = json.loads(scored.stdout)["scores"]
    assert len(scores) == 120 and scores[0]["id"] == "C0000"
    assert all(len(s["reasons"]) <= 2 for s in scores)
    riskiest = max(scores, key=lambda s: s["risk"])
    assert riskiest["reasons"] and riskiest["reasons"][0]["text"]


def test_scores_written_to_a_file_carry_reasons_in_words(run: Run, tmp_path: Path) -> None:
    data = write_customers(tmp_path / "history.csv", customers(200, seed=0))
    assert train(run, data, tmp_path / "m").exit_code == 0
    out = tmp_path / "scores.jsonl"
    result = run("model", "score", "--model", tmp_path / "m", "--data", data, "--out", out)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 200 and {"id", "row", "risk", "reasons", "reason_details"} <= set(lines[0])
    assert any("contract: Month-to-month" in line["reasons"] for line in lines)


def test_text_output_shows_the_figures_and_the_calibration(run: Run, tmp_path: Path) -> None:
    data = write_customers(tmp_path / "history.csv", customers(200, seed=0))
    result = train(run, data, tmp_path / "m")
    assert result.exit_code == 0, result.output
    assert "roc_auc=" in result.stderr and "baseline (logistic regression)" in result.stderr
    assert "decile 10" in result.stderr


@pytest.mark.parametrize(
    ("rows", "options", "message"),
    [
        (customers(40), ("--label-col", "left"), "no column 'left' (--label-col)"),
        (customers(40), ("--id-col", "client"), "no column 'client' (--id-col)"),
        ([{**r, "churned": "No"} for r in customers(40)], (), "one value only ('No')"),
        (customers(40), ("--shots", "3"), "--shots is for text tasks"),
    ],
)
def test_bad_training_input_exits_with_a_clear_message(
    run: Run, tmp_path: Path, rows: list[dict[str, object]], options: tuple[str, ...], message: str
) -> None:
    data = write_customers(tmp_path / "d.csv", rows)
    args = dict(zip(options[::2], options[1::2], strict=True))
    result = run(
        "model", "train", "--task", "churn", "--data", data,
        "--label-col", args.pop("--label-col", "churned"),
        "--id-col", args.pop("--id-col", "customer"), "--out", tmp_path / "m",
        *(x for pair in args.items() for x in pair),
    )  # fmt: skip
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())


def test_a_churn_model_is_not_deployed_as_a_text_head(run: Run, tmp_path: Path) -> None:
    data = write_customers(tmp_path / "history.csv", customers(100, seed=0))
    assert train(run, data, tmp_path / "m").exit_code == 0
    result = run("model", "use", tmp_path / "m", "--as", "intent")
    assert result.exit_code == 1 and "is a churn model" in result.stderr
