from __future__ import annotations

import pytest

from cxloop.understanding import Analyser
from cxloop.understanding.language import UNDETERMINED, detect


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
