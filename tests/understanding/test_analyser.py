from __future__ import annotations

import time

from cxloop.understanding import Analyser
from cxloop.understanding.encoder import load_encoder
from cxloop.understanding.taxonomy import Taxonomy, TopicDef
from cxloop.understanding.training.data import Labelled
from cxloop.understanding.training.train import train_text_head
from tests.understanding.factories import INTENT_EXAMPLES, MODEL_DIR, path

BILLING = TopicDef(
    1,
    "Unexpected charge",
    path("Billing", "Unexpected charge"),
    "charged twice",
    ("you charged me twice", "a fee I did not agree to"),
)
DELIVERY = TopicDef(
    2,
    "Delivery",
    "Delivery",
    "parcels, couriers and shipping delays",
    ("my parcel is late", "the courier lost my package"),
)


def test_clear_feelings_are_read(analyser: Analyser) -> None:
    happy, angry, sad = analyser.analyse(
        [
            "Thank you so much, the agent was wonderful and fixed everything!",
            "This is outrageous, I am furious that you keep ignoring me",
            "I'm so disappointed, I was really looking forward to it and it broke",
        ]
    )
    assert (happy.sentiment, happy.emotion) == ("positive", "joy")
    assert happy.sentiment_score is not None and happy.sentiment_score > 0.5
    assert (angry.sentiment, angry.emotion) == ("negative", "anger")
    assert angry.sentiment_score is not None and angry.sentiment_score < -0.5
    assert sad.sentiment == "negative" and sad.emotion == "sadness"
    assert abs(sum(happy.emotions.values()) - 1) < 0.01


def test_models_see_the_redacted_text(analyser: Analyser) -> None:
    (result,) = analyser.analyse(
        ["Card 4111 1111 1111 1111 was charged twice, call +1 415 555 0132"]
    )
    assert "4111" not in result.redacted and "[CARD]" in result.redacted
    assert [p["kind"] for p in result.pii] == ["card", "phone"]


def test_other_languages_are_marked_not_scored(analyser: Analyser) -> None:
    french, german = analyser.analyse(
        [
            "Je suis très déçu, ma commande n'est jamais arrivée et personne ne répond.",
            "Ich bin sehr unzufrieden mit dem Kundendienst, niemand hilft mir.",
        ]
    )
    assert (french.language, french.status, french.sentiment) == (
        "fr",
        "unsupported_language",
        None,
    )
    assert (german.language, german.status, german.emotion) == ("de", "unsupported_language", None)


def test_texts_without_words_get_a_clear_status(analyser: Analyser) -> None:
    emoji, empty, binary = analyser.analyse(["😡😡😡", "   ", "\x00\x01\x02\x03\x04\x05" * 10])
    assert (emoji.status, emoji.note) == ("skipped", "no words to analyse")
    assert empty.status == "skipped" and empty.sentiment is None
    assert binary.status == "skipped" and binary.note == "binary content, not text"


def test_huge_text_is_capped_and_says_so(analyser: Analyser) -> None:
    (result,) = analyser.analyse(["The delivery was late again. " * 2000])
    assert result.truncated and result.status == "done"
    assert result.note and "first" in result.note
    assert len(result.redacted) <= analyser.max_chars


def test_topics_zero_and_few_shot_with_other(analyser: Analyser) -> None:
    taxonomy = Taxonomy([BILLING, DELIVERY], analyser.encoder)
    charged, parcel, weather = analyser.analyse(
        [
            "Why did you take the payment two times from my account?",
            "The package still hasn't shown up, it's been two weeks",
            "What a lovely sunny afternoon in the park",
        ],
        taxonomy,
    )
    assert [t["path"] for t in charged.topics][:1] == [path("Billing", "Unexpected charge")]
    assert [t["name"] for t in parcel.topics][:1] == ["Delivery"]
    assert weather.topics == []  # other: nothing fits
    assert 0 < charged.topics[0]["confidence"] <= 1


def test_aspect_sentiment_per_topic(analyser: Analyser) -> None:
    taxonomy = Taxonomy([BILLING, DELIVERY], analyser.encoder)
    (result,) = analyser.analyse(
        [
            "The courier delivered my parcel early, fantastic service and so quick. "
            "But you charged me twice for it and I'm really angry about the extra fee."
        ],
        taxonomy,
    )
    by_name = {t["name"]: t["sentiment"] for t in result.topics}
    assert by_name == {"Delivery": "positive", "Unexpected charge": "negative"}


def test_versions_name_every_model(analyser: Analyser) -> None:
    assert {"encoder", "language", "sentiment", "emotion"} <= set(analyser.versions)


def test_encoder_loads_fast_once_built() -> None:
    # Built first: on a fresh machine, where this test may be the first to need the encoder
    # in its worker, the timed load would otherwise include the int8 export (seconds).
    load_encoder(MODEL_DIR)
    started = time.perf_counter()
    encoder = load_encoder(MODEL_DIR)
    assert time.perf_counter() - started < 2.0
    vectors = encoder.encode(["hello", "a much longer sentence about refunds"])
    assert vectors.shape == (2, 384)


def test_a_trained_topic_model_replaces_the_taxonomy(analyser: Analyser) -> None:
    data = Labelled(
        [t for texts in INTENT_EXAMPLES.values() for t in texts],
        [label for label, texts in INTENT_EXAMPLES.items() for _ in texts],
    )
    head, _ = train_text_head(task="topic", data=data, encoder=analyser.encoder, cache_dir=None)
    trained = Analyser(analyser.encoder, analyser.detector, {**analyser.heads, "topic": head})
    (result,) = trained.analyse(
        ["I never got my parcel, the courier lost it"],
        Taxonomy([BILLING, DELIVERY], analyser.encoder),
    )
    assert result.topics[0]["name"] == "delivery" and result.topics[0]["id"] is None
