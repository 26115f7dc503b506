"""Language identification with lingua, which ships its models and is accurate on tweets.

Only the languages a company is likely to hear are loaded (each costs memory and load time);
a text lingua cannot place is ``und``. The heads are trained on English, so a text
detected in another language is marked ``supported=False`` rather than scored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

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


def detect(detector: LanguageDetector, texts: Sequence[str]) -> list[Detected]:
    """One answer per text, read without redaction placeholders ("[PERSON]" is no word of
    any language). lingua abstains (``und``) when no language stands out; texts with no
    letters (emoji, numbers) are undetermined too."""
    out: list[Detected] = []
    for text in texts:
        words = _PLACEHOLDER.sub(" ", text)
        if _letters(words) < 2:
            out.append(Detected(UNDETERMINED, 0.0))
            continue
        language = detector.detect_language_of(words)
        if language is None:
            out.append(Detected(UNDETERMINED, 0.0))
            continue
        confidence = detector.compute_language_confidence(words, language)
        if confidence < SHORT_TEXT_CONFIDENCE and _letters(words) < SHORT_TEXT_LETTERS:
            out.append(Detected(UNDETERMINED, round(confidence, 3)))
            continue
        out.append(Detected(language.iso_code_639_1.name.lower(), round(confidence, 3)))
    return out
