"""`cxloop model train --task churn --from-timeline`: the company's own history in the
database becomes the deployed risk model."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cxloop.cli.main import app
from cxloop.settings import get_settings
from cxloop.store.engine import make_engine
from cxloop.store.migrate import upgrade
from cxloop.store.uow import unit_of_work
from tests.cli.audited import deployments
from tests.proactive.factories import NOW, company_history

Run = Callable[..., Result]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("CXLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXLOOP_DATABASE_URL", "")
    get_settings.cache_clear()
    url = get_settings().resolved_database_url
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        company_history(session, n=40)
    engine.dispose()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, [str(a) for a in args])
    get_settings.cache_clear()


def test_trained_from_the_timeline_and_deployed(run: Run, tmp_path: Path) -> None:
    result = run(
        "model", "train", "--task", "churn", "--from-timeline", "--label-stage", "termination",
        "--trait", "plan", "--score", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == str(tmp_path / "models" / "churn")
    assert report["n"] == 40 and report["traits"] == ["plan"]
    assert 0 < report["scored"] < 40  # those still here
    assert {"roc_auc", "brier", "calibration", "baseline"} <= set(report)
    card = json.loads((tmp_path / "models" / "churn" / "card.json").read_text())
    assert card["timeline"]["label"]["stage"] == "termination"
    assert deployments() == [("churn", {"task": "churn", "source": "database", "replaced": False})]


def test_detraction_is_trained_from_the_latest_survey_answers_and_deployed_beside_churn(
    run: Run, tmp_path: Path
) -> None:
    result = run("model", "train", "--task", "detraction", "--trait", "plan", "--score", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["task"] == "detraction"
    assert report["model"] == str(tmp_path / "models" / "detraction")
    assert report["n"] == 40 and report["scored"] == 40  # every answer, everyone scored
    card = json.loads((tmp_path / "models" / "detraction" / "card.json").read_text())
    assert card["task"] == "detraction" and card["timeline"]["traits"] == ["plan"]
    assert [name for name, _ in deployments()] == ["detraction"]
    told = run("model", "train", "--task", "detraction", "--label-trait", "status")
    assert told.exit_code != 0 and "latest NPS answer" in told.output


def test_who_left_must_be_said(run: Run) -> None:
    result = run("model", "train", "--task", "churn", "--from-timeline")

    assert result.exit_code != 0
    assert "--label-trait NAME or --label-stage STAGE" in result.output


def test_a_file_task_still_needs_its_file(run: Run) -> None:
    result = run("model", "train", "--task", "churn", "--label-col", "x")

    assert result.exit_code != 0
    assert "--data, --label-col and --out are needed" in result.output


def test_the_deployed_model_is_evaluated_on_the_timeline_and_the_card_keeps_it(
    run: Run, tmp_path: Path
) -> None:
    trained = run(
        "model", "train", "--task", "churn", "--from-timeline", "--label-stage", "termination",
        "--trait", "plan", "--json",
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    path = tmp_path / "models" / "churn" / "card.json"
    card = json.loads(path.read_text())  # as if trained a year before the history's leavers
    card["timeline"]["as_of"] = (NOW - timedelta(days=365)).isoformat()
    path.write_text(json.dumps(card))

    result = run("model", "eval", "--from-timeline", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 40 and {"roc_auc", "brier", "calibration"} <= set(report)
    assert report["since"] == card["timeline"]["as_of"]
    (evaluation,) = json.loads(path.read_text())["evaluations"]
    assert evaluation["data"] == f"customer timelines since {report['since']}"
    assert evaluation["roc_auc"] == report["roc_auc"]


def test_evaluating_needs_a_file_or_the_timeline(run: Run) -> None:
    result = run("model", "eval", "--model", "builtin:sentiment")

    assert result.exit_code != 0
    assert "--model, --data and --label-col are needed" in result.output
