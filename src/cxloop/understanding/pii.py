"""Personal data found and redacted before any text is analysed or shown to a role that may
not see it.

Checksummed identifiers (cards by Luhn, IBANs, national ids with check digits) are only
redacted when the checksum holds, so order numbers are not mistaken for cards. Names and
street addresses have no checksum: they are found from the phrases that introduce them
("my name is", "Mr", a house number before a street word), which misses some but rarely
redacts what is not personal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban, luhn
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.us import ssn


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_NINO = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_DNI = re.compile(r"\b\d{8}-?[A-Z]\b")
_NIR = re.compile(r"\b[12] ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}\b")
_CODICE = re.compile(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b")
_NAME_CUE = re.compile(
    r"\b(?:[Mm]y name is|[Tt]his is|I am|I'm|[Nn]ame:)\s+"
    r"(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){0,2})"
    r"|\b(?:Mr|Mrs|Ms|Miss|Dr|Mme|Herr|Frau|Sr|Sra)\.?\s+(?P<titled>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
_ADDRESS = re.compile(
    r"\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl"
    r"|Square|Sq|Terrace|Close|Crescent)\b\.?"
)
# Words after "I am" that are feelings or states, not names ("I am Furious").
_NOT_NAMES = frozenset(
    {
        "Sorry",
        "Not",
        "So",
        "Very",
        "Really",
        "Still",
        "Just",
        "Going",
        "Done",
        "Here",
        "Happy",
        "Angry",
        "Furious",
        "Unhappy",
        "Disappointed",
        "Calling",
        "Writing",
        "Waiting",
        "Trying",
    }
)


def _checked(
    pattern: re.Pattern[str], kind: str, valid: Callable[[str], bool]
) -> Callable[[str], list[Span]]:
    def find(text: str) -> list[Span]:
        return [
            Span(kind, m.start(), m.end())
            for m in pattern.finditer(text)
            if valid(re.sub(r"[ -]", "", m.group()))
        ]

    return find


def _emails(text: str) -> list[Span]:
    return [Span("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]


def _card_number(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn.is_valid(digits)


def _phones(text: str, region: str) -> list[Span]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [Span("phone", m.start, m.end) for m in matcher]


def _names(text: str) -> list[Span]:
    spans = []
    for match in _NAME_CUE.finditer(text):
        group = "name" if match.group("name") else "titled"
        value = match.group(group)
        if value.split()[0] in _NOT_NAMES:
            continue
        spans.append(Span("person", match.start(group), match.end(group)))
    return spans


def _addresses(text: str) -> list[Span]:
    return [Span("address", m.start(), m.end()) for m in _ADDRESS.finditer(text)]


FINDERS: tuple[Callable[[str], list[Span]], ...] = (
    _emails,
    _checked(_CARD, "card", _card_number),
    _checked(_IBAN, "iban", iban.is_valid),
    _checked(_SSN, "national_id", ssn.is_valid),
    _checked(_NINO, "national_id", lambda value: True),
    _checked(_DNI, "national_id", dni.is_valid),
    _checked(_NIR, "national_id", nir.is_valid),
    _checked(_CODICE, "national_id", codicefiscale.is_valid),
    _names,
    _addresses,
)


def find_pii(text: str, *, region: str = "US") -> list[Span]:
    """Non-overlapping spans, earliest first; where two overlap the longer wins."""
    found = [span for finder in FINDERS for span in finder(text)] + _phones(text, region)
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            continue
        kept.append(span)
    return kept


def redact(text: str, spans: list[Span]) -> str:
    parts: list[str] = []
    cursor = 0
    for span in spans:
        parts.append(text[cursor : span.start])
        parts.append(f"[{span.kind.upper()}]")
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


KNOWN = "[PERSON]"
MIN_KNOWN = 3
"""Known values shorter than this ("Bo", "Li") are left: they are words too often."""


def scrub(text: str, *, known: Iterable[str] = (), region: str = "US") -> str:
    """``text`` with what the patterns find redacted, then every value the company knows is
    the person's (their name and each part of it, their email, their phone): a name said
    without a cue ("thanks, Annika") is missed by the patterns but not by this. What models
    learn from the company's own texts goes through here, so no model file holds a person."""
    scrubbed = redact(text, find_pii(text, region=region))
    values = {part for value in known if value for part in (value, *value.split())}
    for value in sorted(
        (v.strip() for v in values if len(v.strip()) >= MIN_KNOWN), key=len, reverse=True
    ):
        scrubbed = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", KNOWN, scrubbed, flags=re.IGNORECASE)
    return scrubbed
