from __future__ import annotations

import pytest

from cxloop.understanding import Analyser
from cxloop.understanding.language import (
    SHORT_TEXT_CONFIDENCE,
    SHORT_TEXT_LETTERS,
    UNDETERMINED,
    detect,
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My flight was cancelled and nobody told me why", "en"),
        ("Mon vol a été annulé et personne ne m'a prévenu", "fr"),
        ("Mein Flug wurde gestrichen und niemand hat mir Bescheid gesagt", "de"),
        ("Mi vuelo fue cancelado y nadie me avisó", "es"),
        ("My name is [PERSON] and I have lived at [ADDRESS] for ten years now", "en"),
    ],
)
def test_languages_of_short_texts(analyser: Analyser, text: str, code: str) -> None:
    (found,) = detect(analyser.detector, [text])
    assert found.code == code
    assert found.supported == (code == "en")


def test_too_little_to_tell_is_undetermined_and_still_scored(analyser: Analyser) -> None:
    emoji, tiny = detect(analyser.detector, ["😀👍", "ok"])
    assert emoji.code == tiny.code == UNDETERMINED
    assert tiny.supported


def test_one_batched_call_gives_lingua_own_answers(analyser: Analyser) -> None:
    """The batch is scored once; each answer is the one lingua's ``detect_language_of`` and
    ``compute_language_confidence`` give for the text alone."""
    texts = [
        "My flight was cancelled and nobody told me why",
        "Mi vuelo fue cancelado y nadie me avisó",
        "Привет, мой заказ так и не пришёл",
        "ok thanks",
        "vol annulé",
        "12 34",
        "Ich warte seit zwei Wochen auf meine Erstattung",
    ]
    detector = analyser.detector
    for text, found in zip(texts, detect(detector, texts), strict=True):
        language = detector.detect_language_of(text)
        if language is None:
            assert (found.code, found.confidence) == (UNDETERMINED, 0.0), text
            continue
        confidence = detector.compute_language_confidence(text, language)
        short = sum(c.isalpha() for c in text) < SHORT_TEXT_LETTERS
        weak = confidence < SHORT_TEXT_CONFIDENCE and short
        code = UNDETERMINED if weak else language.iso_code_639_1.name.lower()
        assert (found.code, found.confidence) == (code, round(confidence, 3)), text
