"""Language identification with lingua, which ships its models and is accurate on tweets.

Only the languages a company is likely to hear are loaded (each costs memory and load time);
a text lingua cannot place is ``und``. The heads are trained on English, so a text
detected in another language is marked ``supported=False`` rather than scored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = frozenset({"en"})
UNDETERMINED = "und"
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
# A few letters rarely name a language: below these, a weak guess is no guess.
SHORT_TEXT_LETTERS = 25
SHORT_TEXT_CONFIDENCE = 0.5
DETECTED = (
    Language.ENGLISH,
    Language.FRENCH,
    Language.GERMAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.POLISH,
    Language.SWEDISH,
    Language.TURKISH,
    Language.RUSSIAN,
    Language.ARABIC,
    Language.HINDI,
    Language.CHINESE,
    Language.JAPANESE,
)


@dataclass(frozen=True)
class Detected:
    code: str
    confidence: float

    @property
    def supported(self) -> bool:
        """Undetermined texts are scored: they are mostly short chat lines ("ok", "lol
        same") in the company's own language, where any language guess is noise."""
        return self.code in SUPPORTED or self.code == UNDETERMINED


def build_detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*DETECTED).build()


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _best(values: Sequence[ConfidenceValue]) -> tuple[Language | None, float]:
    """lingua's own answer from its confidence values: the most likely language, or none when
    nothing scored or the first two tie (what ``detect_language_of`` returns, without
    scoring the text a second time)."""
    if not values or values[0].value <= 0.0:
        return None, 0.0
    if len(values) > 1 and values[1].value == values[0].value:
        return None, 0.0
    return values[0].language, values[0].value


def detect(detector: LanguageDetector, texts: Sequence[str]) -> list[Detected]:
    """One answer per text, read without redaction placeholders ("[PERSON]" is no word of
    any language). lingua abstains (``und``) when no language stands out; texts with no
    letters (emoji, numbers) are undetermined too. The batch is scored in one call, which
    lingua spreads over the cores."""
    words = [_PLACEHOLDER.sub(" ", text) for text in texts]
    letters = [_letters(w) for w in words]
    wordy = [i for i, count in enumerate(letters) if count >= 2]
    values = detector.compute_language_confidence_values_in_parallel([words[i] for i in wordy])
    out = [Detected(UNDETERMINED, 0.0) for _ in texts]
    for i, scored in zip(wordy, values, strict=True):
        language, confidence = _best(scored)
        if language is None:
            continue
        if confidence < SHORT_TEXT_CONFIDENCE and letters[i] < SHORT_TEXT_LETTERS:
            out[i] = Detected(UNDETERMINED, round(confidence, 3))
            continue
        out[i] = Detected(language.iso_code_639_1.name.lower(), round(confidence, 3))
    return out
