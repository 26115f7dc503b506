"""The recipe of the shipped sentiment head: which support requests become examples (problem
reports as complaints, a few plain requests as neutral), and why the labels are weighed
evenly."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from cxloop.understanding.training.builtin import support_sentiment
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.train import Recipe, fit_head


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def support_sets(tmp_path: Path) -> Path:
    """The four support sets in their published shapes: a problem report and six plain requests
    in banking77, a complaint and four plain requests in Bitext."""
    write_csv(
        tmp_path / "banking77" / "train.csv",
        [
            {"text": "my card payment was declined again", "category": "declined_card_payment"},
            *(
                {"text": f"banking request {i}", "category": "order_physical_card"}
                for i in range(6)
            ),
        ],
    )
    write_csv(
        tmp_path / "bitext_customer_support" / "data.csv",
        [
            {"text": "I want to file a complaint", "label": "complaint", "category": "FEEDBACK"},
            *(
                {"text": f"bitext request {i}", "label": "cancel_order", "category": "ORDER"}
                for i in range(4)
            ),
        ],
    )
    write_csv(
        tmp_path / "clinc150" / "data.csv",
        [
            {"text": "my bag never arrived", "label": "lost_luggage"},
            {"text": "thanks a lot", "label": "thank_you"},
            {"text": "what time is it", "label": "time"},
        ],
    )
    write_csv(
        tmp_path / "hwu64" / "data.csv",
        [
            {"text": "you are brilliant", "label": "general_praise"},
            {"text": "set an alarm", "label": "alarm_set"},
        ],
    )
    return tmp_path


def examples(data: Labelled, label: str) -> list[str]:
    return sorted(t for t, lab in zip(data.texts, data.labels, strict=True) if lab == label)


def test_problem_reports_read_as_complaints_and_thanks_as_praise(support_sets: Path) -> None:
    data = support_sentiment(support_sets)
    assert examples(data, "negative") == [
        "I want to file a complaint",
        "my bag never arrived",
        "my card payment was declined again",
    ]
    assert examples(data, "positive") == ["thanks a lot", "you are brilliant"]


def test_one_plain_request_in_five_is_a_neutral_example(support_sets: Path) -> None:
    # All of them taught the head that support wording is neutral, none that it is negative.
    assert examples(support_sentiment(support_sets), "neutral") == [
        "banking request 0",
        "banking request 5",
    ]


def test_a_balanced_head_does_not_let_the_majority_label_win_every_doubt() -> None:
    rng = np.random.default_rng(0)
    many, few = 900, 100
    vectors = np.vstack([rng.normal(0.0, 1.0, (many, 8)), rng.normal(0.3, 1.0, (few, 8))]).astype(
        np.float32
    )
    data = Labelled(
        [f"text {i}" for i in range(many + few)], ["neutral"] * many + ["negative"] * few
    )

    def minority_recall(balanced: bool) -> float:
        head = fit_head(
            Recipe(task="sentiment", features="embedding", balanced=balanced), data, vectors, "v"
        )
        predicted = head.predict(vectors[many:], data.texts[many:])
        return predicted.count("negative") / few

    assert minority_recall(balanced=False) < 0.2
    assert minority_recall(balanced=True) > 0.5
