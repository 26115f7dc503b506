"""How heads are fitted: the full-data recipe (embedding, words and character n-grams under a
linear SVM blended with nearest neighbours) and the few-shot recipe (embedding alone, plus
each label's name)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cxloop.errors import ValidationFailed
from cxloop.understanding import Analyser
from cxloop.understanding.heads import load_head, save_head
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.train import readable, train_text_head, with_label_names
from tests.understanding.factories import INTENT_EXAMPLES


def intents() -> Labelled:
    return Labelled(
        [t for texts in INTENT_EXAMPLES.values() for t in texts],
        [label for label, texts in INTENT_EXAMPLES.items() for _ in texts],
    )


def test_a_label_reads_as_words() -> None:
    assert readable("card_payment_not_recognised") == "card payment not recognised"
    assert readable("reverted_card_payment?") == "reverted card payment"
    assert readable("Refund-not-showing-up") == "Refund not showing up"
    assert readable("???") == "???"


def test_few_shot_examples_gain_one_named_example_per_label() -> None:
    data = Labelled(["where is my parcel", "money back please"], ["delivery", "refund_request"])
    named = with_label_names(data)
    assert named.texts[2:] == ["delivery", "refund request"]
    assert named.labels == ["delivery", "refund_request", "delivery", "refund_request"]


def test_a_full_data_intent_head_reads_misspelt_words(analyser: Analyser, tmp_path: Path) -> None:
    head, report = train_text_head(
        task="intent", data=intents(), encoder=analyser.encoder, cache_dir=None
    )
    assert head.features == "embedding+words+chars" and head.embedding_weight == 2.0
    assert report["n"] == 24 and "5-fold" in report["method"]
    texts = ["plz refnd my ordr", "my pasword wont work", "parcle still not deliverd"]
    saved = load_head(save_head(head, tmp_path / "intent"))
    proba = saved.probabilities(analyser.encoder.encode(texts), texts)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert saved.predict(analyser.encoder.encode(texts), texts) == [
        "refund",
        "password",
        "delivery",
    ]


def test_a_label_with_two_examples_still_trains(analyser: Analyser) -> None:
    data = intents()
    rare = Labelled(
        [*data.texts, "what are your opening hours", "when do you open"],
        [*data.labels, "opening_hours", "opening_hours"],
    )
    head, report = train_text_head(
        task="topic", data=rare, encoder=analyser.encoder, cache_dir=None
    )
    assert "opening_hours" in head.labels and "2-fold" in report["method"]


def test_a_few_shot_head_uses_the_embedding_and_the_label_names(analyser: Analyser) -> None:
    head, report = train_text_head(
        task="intent", data=intents(), encoder=analyser.encoder, cache_dir=None, shots=2
    )
    assert head.features == "embedding" and head.vectorizer is None
    assert head.card["trained_rows"] == 6 and report["n"] == 18
    texts = ["I would like a refund", "I forgot my password again"]
    assert head.predict(analyser.encoder.encode(texts), texts) == ["refund", "password"]


def test_few_shot_needs_enough_examples_of_every_label(analyser: Analyser) -> None:
    with pytest.raises(ValidationFailed, match="fewer than --shots 9"):
        train_text_head(
            task="intent", data=intents(), encoder=analyser.encoder, cache_dir=None, shots=9
        )
