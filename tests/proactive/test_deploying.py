"""A deployed risk model is replaced whole or not at all, so the scoring never loads half of
one; a model saved into a folder of the user's leaves the folder's other files alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cxloop.proactive import (
    ChurnModel,
    deployed_dir,
    deployed_model,
    load_model,
    record_evaluation,
    replace_model,
    save_model,
    train_from_timeline,
)
from cxloop.proactive.model import CARD_FILE, MODEL_FILE, write_card
from cxloop.settings import Settings
from tests.proactive.factories import NOW, TERMINATION, company_history, deploy, trained_model

MODEL_FILES = {MODEL_FILE, CARD_FILE}


@pytest.fixture
def model(tmp_path_factory: pytest.TempPathFactory) -> ChurnModel:
    return load_model(trained_model(tmp_path_factory))


def retrained(model: ChurnModel, when: str) -> ChurnModel:
    return dataclasses.replace(model, card={**model.card, "trained_at": when})


def test_a_new_model_replaces_the_deployed_one_and_leaves_nothing_beside_it(
    model: ChurnModel, tmp_path: Path
) -> None:
    target = tmp_path / "models" / "churn"
    replace_model(retrained(model, "2024-01-01T00:00:00+00:00"), target)
    (target / "notes.txt").write_text("left from before")

    replace_model(retrained(model, "2024-02-01T00:00:00+00:00"), target)

    assert {p.name for p in target.iterdir()} == MODEL_FILES
    assert [p.name for p in target.parent.iterdir()] == ["churn"]
    assert load_model(target).card["trained_at"] == "2024-02-01T00:00:00+00:00"


def test_a_save_that_fails_keeps_the_deployed_model_and_leaves_nothing_beside_it(
    model: ChurnModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "models" / "churn"
    replace_model(retrained(model, "2024-01-01T00:00:00+00:00"), target)

    def disk_full(card: object, directory: Path) -> None:
        raise OSError("disk full")  # the estimator is written, its card is not

    monkeypatch.setattr("cxloop.proactive.model.write_card", disk_full)
    with pytest.raises(OSError, match="disk full"):
        replace_model(retrained(model, "2024-02-01T00:00:00+00:00"), target)

    assert {p.name for p in target.iterdir()} == MODEL_FILES
    assert load_model(target).card["trained_at"] == "2024-01-01T00:00:00+00:00"
    assert [p.name for p in target.parent.iterdir()] == ["churn"]


def test_a_model_saved_into_a_folder_of_the_users_keeps_the_other_files(
    model: ChurnModel, tmp_path: Path
) -> None:
    (tmp_path / "customers.csv").write_text("customer,churned\n")

    save_model(model, tmp_path)

    assert {p.name for p in tmp_path.iterdir()} == MODEL_FILES | {"customers.csv"}


def test_retraining_from_the_timeline_replaces_the_deployed_model_whole(
    session: Session, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    old = deploy(trained_model(tmp_path_factory), settings)
    target = deployed_dir(settings.resolved_model_dir)
    write_card({**old.card, "note": "the model before"}, target)
    (target / "notes.txt").write_text("left from before")
    company_history(session, seed=1)

    new = train_from_timeline(
        session, TERMINATION, traits=["plan"], out=target, replace=True, now=NOW
    )

    assert {p.name for p in target.iterdir()} == MODEL_FILES
    assert [p.name for p in target.parent.iterdir()] == ["churn"]
    deployed = deployed_model(settings.resolved_model_dir)
    assert deployed is not None
    assert "note" not in deployed.card
    assert deployed.card["trained_at"] == new.card["trained_at"]


def test_an_evaluation_rewrites_the_deployed_card_whole(model: ChurnModel, tmp_path: Path) -> None:
    target = tmp_path / "models" / "churn"
    replace_model(model, target)
    figures = {"n": 120, "roc_auc": 0.81, "brier": 0.14, "churn_rate": 0.2}

    record_evaluation(load_model(target), target, "march.csv", figures)

    assert {p.name for p in target.iterdir()} == MODEL_FILES
    [evaluation] = load_model(target).card["evaluations"]
    assert evaluation["data"] == "march.csv"
    assert evaluation["roc_auc"] == 0.81
