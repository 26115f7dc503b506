"""The churn model: trained from a customer file, measured against its baseline, saved with
its card, and scoring customers with their reasons in words."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from cxloop.errors import ValidationFailed
from cxloop.proactive import (
    ChurnModel,
    evaluate_churn,
    load_model,
    save_model,
    score_churn,
    train_churn,
)
from tests.proactive.factories import customers, write_customers


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[ChurnModel, Path]:
    folder = tmp_path_factory.mktemp("churn")
    data = write_customers(folder / "train.csv", customers(400, seed=0))
    model = train_churn(data, label_col="churned", id_col="customer", positive=None)
    return model, save_model(model, folder / "model")


def test_cross_validated_figures_beat_chance_and_sit_beside_the_baseline(
    trained: tuple[ChurnModel, Path],
) -> None:
    figures = trained[0].card["cross_validation"]
    assert figures["n"] == 400 and figures["method"] == "5-fold stratified cross-validation"
    assert figures["roc_auc"] > 0.75
    assert 0 < figures["brier"] < 0.25
    assert figures["baseline"]["name"] == "logistic regression"
    assert figures["baseline"]["roc_auc"] > 0.7


def test_the_card_holds_calibration_by_decile_the_date_and_the_features(
    trained: tuple[ChurnModel, Path],
) -> None:
    card = trained[0].card
    deciles = card["cross_validation"]["calibration"]
    assert [d["decile"] for d in deciles] == list(range(1, 11))
    assert sum(d["n"] for d in deciles) == 400
    predicted = [d["mean_predicted"] for d in deciles]
    assert predicted == sorted(predicted)
    assert deciles[-1]["observed_rate"] > deciles[0]["observed_rate"]
    assert datetime.fromisoformat(card["trained_at"]).utcoffset() is not None
    kinds = {f["name"]: f["kind"] for f in card["features"]}
    assert kinds == {
        "contract": "categorical",
        "tenure": "numeric",
        "monthly": "numeric",
        "total": "numeric",
        "payment": "categorical",
    }
    assert card["label"] == {"column": "churned", "positive": "Yes", "negative": "No"}
    assert card["id_column"] == "customer"


def test_a_number_column_with_blanks_stays_numeric_and_counts_its_blanks(
    trained: tuple[ChurnModel, Path],
) -> None:
    (total,) = [f for f in trained[0].card["features"] if f["name"] == "total"]
    expected = sum(1 for row in customers(400, seed=0) if row["tenure"] == 0)
    assert expected > 0 and total["blanks"] == expected


def test_a_saved_model_scores_like_the_trained_one(
    trained: tuple[ChurnModel, Path], tmp_path: Path
) -> None:
    model, directory = trained
    data = write_customers(tmp_path / "new.csv", customers(50, seed=1))
    before = [s.risk for s in score_churn(model, data)]
    after = [s.risk for s in score_churn(load_model(directory), data)]
    assert np.allclose(before, after)
    assert all(0 < r < 1 for r in after)


def test_reasons_name_what_pushes_a_customer_up_in_words(
    trained: tuple[ChurnModel, Path], tmp_path: Path
) -> None:
    risky = {
        "customer": "R1",
        "contract": "Month-to-month",
        "tenure": 1,
        "monthly": 105.0,
        "total": 105.0,
        "payment": "Card",
    }
    loyal = {**risky, "customer": "L1", "contract": "Two year", "tenure": 70, "total": 7350.0}
    data = write_customers(tmp_path / "two.csv", [risky, loyal])
    scored = {s.customer: s for s in score_churn(trained[0], data, top=3)}
    assert scored["R1"].risk > 0.5 > scored["L1"].risk
    texts = [r.text for r in scored["R1"].reasons]
    assert "contract: Month-to-month" in texts
    assert any(t.startswith("tenure 1 (typical ") for t in texts)
    weights = [r.weight for r in scored["R1"].reasons]
    assert weights == sorted(weights, reverse=True) and weights[-1] > 0
    assert "contract: Two year" not in [r.text for r in scored["L1"].reasons]


def test_unseen_categories_and_blanks_are_scored_and_counted(
    trained: tuple[ChurnModel, Path], tmp_path: Path
) -> None:
    rows = customers(60, seed=2)
    rows[0]["payment"] = "Crypto"
    rows[1]["contract"] = "Three year"
    rows[2]["monthly"] = ""
    data = write_customers(tmp_path / "odd.csv", rows)
    report = evaluate_churn(trained[0], data, label_col="churned")
    assert report["n"] == 60
    assert report["unseen_categories"] == {"payment": 1, "contract": 1}
    assert report["blanks"]["monthly"] == 1
    assert 0 <= report["roc_auc"] <= 1 and len(report["calibration"]) == 10
    assert len(score_churn(trained[0], data)) == 60


def bad(path: Path, **options: str | None) -> str:
    with pytest.raises(ValidationFailed) as caught:
        train_churn(
            path,
            label_col=options.get("label_col") or "churned",
            id_col=options.get("id_col"),
            positive=options.get("positive"),
        )
    return caught.value.detail


def test_a_missing_label_column_is_named_with_the_columns_there(tmp_path: Path) -> None:
    data = write_customers(tmp_path / "d.csv", customers(40))
    message = bad(data, label_col="left")
    assert "no column 'left' (--label-col)" in message and "churned" in message


def test_an_unknown_id_column_is_named(tmp_path: Path) -> None:
    data = write_customers(tmp_path / "d.csv", customers(40))
    assert "no column 'client' (--id-col)" in bad(data, id_col="client")


def test_one_class_only_is_refused(tmp_path: Path) -> None:
    rows = [{**r, "churned": "No"} for r in customers(40)]
    message = bad(write_customers(tmp_path / "d.csv", rows))
    assert "one value only ('No')" in message


def test_too_few_of_a_class_to_cross_validate_is_refused(tmp_path: Path) -> None:
    rows = [{**r, "churned": "Yes" if i < 3 else "No"} for i, r in enumerate(customers(40))]
    assert "3 rows with 'Yes'" in bad(write_customers(tmp_path / "d.csv", rows))


def test_a_blank_label_is_an_error_naming_its_row(tmp_path: Path) -> None:
    rows = customers(40)
    rows[4]["churned"] = ""
    assert "row 6: column 'churned' is empty" in bad(write_customers(tmp_path / "d.csv", rows))


def test_a_repeated_id_names_both_rows(tmp_path: Path) -> None:
    rows = customers(40)
    rows[7]["customer"] = rows[2]["customer"]
    message = bad(write_customers(tmp_path / "d.csv", rows), id_col="customer")
    assert "row 9: id 'C0002' in column 'customer' repeats row 4" in message


def test_labels_other_than_yes_no_need_to_be_told_which_means_leaving(tmp_path: Path) -> None:
    rows = [{**r, "churned": "Lost" if r["churned"] == "Yes" else "Kept"} for r in customers()]
    data = write_customers(tmp_path / "d.csv", rows)
    assert "('Kept' or 'Lost'); pass --positive" in bad(data)
    assert "--positive 'Gone' is not a value" in bad(data, positive="Gone")
    model = train_churn(data, label_col="churned", id_col="customer", positive="Lost")
    assert model.card["label"] == {"column": "churned", "positive": "Lost", "negative": "Kept"}


def test_scoring_names_a_word_in_a_number_column_and_a_missing_column(
    trained: tuple[ChurnModel, Path], tmp_path: Path
) -> None:
    rows = customers(10, seed=3)
    rows[3]["tenure"] = "two"
    with pytest.raises(ValidationFailed, match="row 5: column 'tenure' is 'two', not a number"):
        score_churn(trained[0], write_customers(tmp_path / "a.csv", rows))
    fields = ("customer", "contract", "tenure", "monthly", "total", "churned")
    without = write_customers(tmp_path / "b.csv", customers(10), fields)
    with pytest.raises(ValidationFailed, match="needs column\\(s\\) 'payment'"):
        score_churn(trained[0], without)


def test_evaluating_on_one_class_is_refused(
    trained: tuple[ChurnModel, Path], tmp_path: Path
) -> None:
    rows = [{**r, "churned": "Yes"} for r in customers(20)]
    data = write_customers(tmp_path / "yes.csv", rows)
    with pytest.raises(ValidationFailed, match="one value only"):
        evaluate_churn(trained[0], data, label_col="churned")


def test_an_identifier_like_or_constant_column_is_ignored_not_fatal(tmp_path: Path) -> None:
    rows = [{**r, "note": f"n{i}", "region": "north"} for i, r in enumerate(customers(200))]
    data = write_customers(tmp_path / "d.csv", rows, (*rows[0],))
    model = train_churn(data, label_col="churned", id_col="customer", positive=None)
    assert set(model.card["ignored"]) == {"note", "region"}


@pytest.mark.parametrize(
    "fields",
    [
        ("customer", "contract", "payment", "churned"),  # categories only
        ("customer", "tenure", "monthly", "churned"),  # numbers only, no blanks
    ],
)
def test_files_with_only_numbers_or_only_categories_train_and_score(
    tmp_path: Path, fields: tuple[str, ...]
) -> None:
    data = write_customers(tmp_path / "d.csv", customers(200), fields)
    model = train_churn(data, label_col="churned", id_col="customer", positive=None)
    assert model.card["cross_validation"]["roc_auc"] > 0.6
    assert len(score_churn(model, data)) == 200


def test_typed_files_with_true_false_labels_and_nulls_train(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = [
        {**r, "total": None if r["total"] == " " else r["total"], "churned": r["churned"] == "Yes"}
        for r in customers(200)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    model = train_churn(path, label_col="churned", id_col="customer", positive=None)
    assert model.card["label"] == {"column": "churned", "positive": "true", "negative": "false"}
    assert evaluate_churn(model, path, label_col="churned")["n"] == 200
