"""`cxloop model train/eval/use` and `cxloop understand backfill`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.understanding.factories import MODEL_DIR, intent_rows, write_labelled

CXLOOP = [sys.executable, "-m", "cxloop.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CXLOOP_DATA_DIR": str(tmp_path),
        "CXLOOP_DATABASE_URL": "",
        "CXLOOP_MODEL_DIR": str(MODEL_DIR),
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CXLOOP, *args], env=env, capture_output=True, text=True, timeout=120)


def test_train_then_evaluate_an_intent_model(env: dict[str, str], tmp_path: Path) -> None:
    data = write_labelled(tmp_path / "intents.csv", intent_rows())
    out = tmp_path / "intent-model"
    trained = run(
        env,
        "model",
        "train",
        "--task",
        "intent",
        "--data",
        str(data),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--out",
        str(out),
        "--json",
    )
    assert trained.returncode == 0, trained.stderr
    report = json.loads(trained.stdout)
    assert report["n"] == 24 and report["labels"] == ["delivery", "password", "refund"]
    assert report["accuracy"] >= 0.8 and "cross-validation" in report["method"]
    assert set(report["per_class"]) == {"delivery", "password", "refund"}

    held_out = write_labelled(
        tmp_path / "new.csv",
        [
            ("I still have not received my package", "delivery"),
            ("send my money back", "refund"),
            ("I can't sign in, wrong password", "password"),
            ("what are your opening hours", "opening_hours"),
        ],
        header=("message", "intent"),
    )
    evaluated = run(
        env,
        "model",
        "eval",
        "--model",
        str(out),
        "--data",
        str(held_out),
        "--text-col",
        "message",
        "--label-col",
        "intent",
        "--json",
    )
    assert evaluated.returncode == 0, evaluated.stderr
    figures = json.loads(evaluated.stdout)
    assert figures["n"] == 3 and figures["accuracy"] == 1.0
    assert figures["skipped_unknown_labels"] == {"opening_hours": 1}

    deployed = run(env, "model", "use", str(out), "--as", "intent", "--json")
    assert deployed.returncode == 0, deployed.stderr
    assert (Path(json.loads(deployed.stdout)["path"]) / "head.joblib").is_file()


def test_few_shot_training_is_measured_on_the_other_rows(
    env: dict[str, str], tmp_path: Path
) -> None:
    data = write_labelled(tmp_path / "intents.csv", intent_rows())
    trained = run(
        env,
        "model",
        "train",
        "--task",
        "intent",
        "--data",
        str(data),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--shots",
        "3",
        "--out",
        str(tmp_path / "m"),
        "--json",
    )
    assert trained.returncode == 0, trained.stderr
    report = json.loads(trained.stdout)
    assert report["n"] == 15 and "3 examples per label" in report["method"]


def test_builtin_sentiment_evaluates_on_a_users_file(env: dict[str, str], tmp_path: Path) -> None:
    data = write_labelled(
        tmp_path / "tweets.csv",
        [("thanks, great flight!", "positive"), ("lost my bag again, awful", "negative")],
    )
    result = run(
        env,
        "model",
        "eval",
        "--model",
        "builtin:sentiment",
        "--data",
        str(data),
        "--text-col",
        "text",
        "--label-col",
        "label",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["accuracy"] == 1.0


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([("fine", "a"), ("", "b")], [], "row 3: column 'text' is empty"),
        ([("fine", "a"), ("also fine", "a")], [], "single value ('a')"),
        ([("fine", "a")], ["--label-col", "nope"], "row 2: no column 'nope'"),
        ([("fine", "a")], ["--task", "astrology"], "--task must be one of"),
    ],
)
def test_training_errors_name_the_row_and_column(
    env: dict[str, str], tmp_path: Path, rows: list[tuple[str, str]], args: list[str], message: str
) -> None:
    data = write_labelled(tmp_path / "bad.csv", rows)
    defaults = {"--task": "intent", "--label-col": "label"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        defaults[flag] = value
    flags = [item for pair in defaults.items() for item in pair]
    result = run(
        env,
        "model",
        "train",
        *flags,
        "--data",
        str(data),
        "--text-col",
        "text",
        "--out",
        str(tmp_path / "m"),
    )
    assert result.returncode != 0
    assert message in result.stderr.replace("\n", " ")


def test_backfill_enriches_imported_texts_and_resumes(env: dict[str, str], tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "email,occurred_at,channel,type,text\n"
        "ann@example.com,2025-01-02T10:00:00Z,phone,call,Customer furious about a double charge\n"
        "bob@example.com,2025-01-02T11:00:00Z,phone,call,Thanked us for the quick fix\n"
        "cy@example.com,2025-01-02T12:00:00Z,phone,call,\n"
    )
    imported = run(env, "import", "interactions", str(calls), "--json")
    assert imported.returncode == 0, imported.stderr
    first = run(env, "understand", "backfill", "--limit", "1", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["enriched"] == 1
    rest = run(env, "understand", "backfill", "--json")
    summary = json.loads(rest.stdout)
    assert summary["enriched"] == 1 and summary["by_status"] == {"done": 1}
    again = json.loads(run(env, "understand", "backfill", "--json").stdout)
    assert again["enriched"] == 0
