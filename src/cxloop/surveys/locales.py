"""Which language a respondent reads: asked for, the customer's own, the browser's, the survey's.

Each step falls back from a regional variant to its language (``pt-BR`` to ``pt``), so a
survey written in ``pt`` serves a Brazilian browser.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxloop.surveys.definition import Translations


def accepted_languages(header: str | None) -> list[str]:
    """An ``Accept-Language`` header's tags, most preferred first (``q=0`` dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(ranked)]


def _variants(tag: str) -> list[str]:
    tag = tag.replace("_", "-")
    base = tag.split("-")[0].lower()
    return [tag, base] if base != tag else [base]


def choose_locale(available: Iterable[str], wanted: Iterable[str | None], default: str) -> str:
    """The first of ``wanted`` that ``available`` offers (exactly or by language), else default."""
    offered = {a.lower(): a for a in available}
    for tag in wanted:
        if not tag:
            continue
        for variant in _variants(tag):
            if variant.lower() in offered:
                return offered[variant.lower()]
    return default


def translate(texts: Translations, locale: str, default: str) -> str:
    """``texts`` in ``locale``, falling back to its language, the default, then any text."""
    for variant in [*_variants(locale), default]:
        if variant in texts:
            return texts[variant]
    return next(iter(texts.values()), "")
