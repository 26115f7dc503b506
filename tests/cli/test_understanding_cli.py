"""`cxloop model train/eval/use` and `cxloop understand backfill`, through the real command
line app in this process (the models stay loaded between tests)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.settings import get_settings
from cxloop.store.tabular import read_rows
from tests.understanding.factories import intent_rows, models_dir, write_labelled
from tests.understanding.model_files import found

Run = Callable[..., Result]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXLOOP_DATABASE_URL", "")
    # A model directory of its own: what these tests deploy must not change what the
    # shared test models say to tests running in other processes meanwhile.
    monkeypatch.setenv("CXLOOP_MODEL_DIR", str(models_dir(tmp_path / "models")))
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def run(env: Run, *args: str) -> Result:
    return env(*args)


def test_train_then_evaluate_an_intent_model(env: Run, tmp_path: Path) -> None:
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
    assert trained.exit_code == 0, trained.output
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
    assert evaluated.exit_code == 0, evaluated.output
    figures = json.loads(evaluated.stdout)
    assert figures["n"] == 3 and figures["accuracy"] == 1.0
    assert figures["skipped_unknown_labels"] == {"opening_hours": 1}

    deployed = run(env, "model", "use", str(out), "--as", "intent", "--json")
    assert deployed.exit_code == 0, deployed.output
    assert (Path(json.loads(deployed.stdout)["path"]) / "head.joblib").is_file()
    assert run(env, "model", "use", str(out), "--as", "intent").exit_code == 0  # replaced

    log = tmp_path / "audit.jsonl"
    assert run(env, "export", "audit", "--out", str(log)).exit_code == 0
    entries = [r.values for r in read_rows(log, "jsonl") if r.values["action"] == "model.deployed"]
    assert [e["detail"]["replaced"] for e in entries] == [False, True]
    for entry in entries:
        assert entry["actor"].startswith("cli:") and entry["target_id"] == "intent"
        assert entry["detail"]["task"] == "intent"
        assert entry["detail"]["source"] == str(out.resolve())


def test_few_shot_training_is_measured_on_the_other_rows(env: Run, tmp_path: Path) -> None:
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
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["n"] == 15 and "3 examples per label" in report["method"]


def test_builtin_sentiment_evaluates_on_a_users_file(env: Run, tmp_path: Path) -> None:
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
    assert result.exit_code == 0, result.output
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
    env: Run, tmp_path: Path, rows: list[tuple[str, str]], args: list[str], message: str
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
    assert result.exit_code != 0
    assert message in result.output.replace("\n", " ")


def test_backfill_enriches_imported_texts_and_resumes(env: Run, tmp_path: Path) -> None:
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "email,occurred_at,channel,type,text\n"
        "ann@example.com,2025-01-02T10:00:00Z,phone,call,Customer furious about a double charge\n"
        "bob@example.com,2025-01-02T11:00:00Z,phone,call,Thanked us for the quick fix\n"
        "cy@example.com,2025-01-02T12:00:00Z,phone,call,\n"
    )
    imported = run(env, "import", "interactions", str(calls), "--json")
    assert imported.exit_code == 0, imported.output
    first = run(env, "understand", "backfill", "--limit", "1", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["enriched"] == 1
    rest = run(env, "understand", "backfill", "--json")
    summary = json.loads(rest.stdout)
    assert summary["enriched"] == 1 and summary["by_status"] == {"done": 1}
    again = json.loads(run(env, "understand", "backfill", "--json").stdout)
    assert again["enriched"] == 0


def test_a_model_trained_on_texts_with_personal_data_keeps_none_of_it(
    env: Run, tmp_path: Path
) -> None:
    """An export of the company's own chats holds a person's name, email and phone: the
    model is trained on the redacted text, and its folder holds none of them."""
    said = "my name is Annika Lindqvist, mail annika.lindqvist@example.com or +31 6 12345678"
    rows = [(f"{text}. {said}" if n % 2 else text, label)
            for n, (text, label) in enumerate(intent_rows())]  # fmt: skip
    out = tmp_path / "intent-model"
    trained = run(
        env, "model", "train", "--task", "intent", "--data",
        str(write_labelled(tmp_path / "chats.csv", rows)),
        "--text-col", "text", "--label-col", "label", "--out", str(out), "--json",
    )  # fmt: skip

    assert trained.exit_code == 0, trained.output
    assert found(out, ["annika", "lindqv", "lindqvist@", "345678"]) == []
    assert found(out, ["refund"]) == ["refund"]
