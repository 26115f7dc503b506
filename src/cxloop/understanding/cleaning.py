"""What of a message is the customer's own words: no HTML, no quoted reply, no signature.

Analysing a forwarded thread would score the company's own earlier answer, so emails are cut
at the first quote header. Texts are capped: the cap is reported, never silent.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 5_000

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]+>")
_QUOTED_REPLY = re.compile(
    r"^\s*(On .{3,200}wrote:|Le .{3,200}a écrit\s*:|Am .{3,200}schrieb.{0,80}:"
    r"|El .{3,200}escribió:|-{2,}\s*Original Message\s*-{2,}|From:\s.+|>.*)\s*$",
    re.M | re.I,
)
_SIGNATURE = re.compile(
    r"^\s*(--\s*|Sent from my \w+.*|Best regards,?|Kind regards,?|Regards,?|Cheers,?"
    r"|Thanks,?|Thank you,?|Cordialement,?|Mit freundlichen Grüßen,?)\s*$",
    re.M | re.I,
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class Cleaned:
    text: str
    truncated: bool
    binary: bool


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(html|body|div|p|br|table|span|a)\b", text, re.I))


def strip_html(text: str) -> str:
    text = _TAG.sub(" ", text)
    text = _BLOCK.sub("\n", text)
    text = _ANY_TAG.sub(" ", text)
    return html.unescape(text)


def _cut_at(pattern: re.Pattern[str], text: str, *, keep_if_empty: bool) -> str:
    match = pattern.search(text)
    if match is None:
        return text
    head = text[: match.start()]
    return text if keep_if_empty and not head.strip() else head


def _is_binary(text: str) -> bool:
    """Mostly control or unassigned characters: a file's bytes, not words."""
    if not text:
        return False
    odd = sum(
        1 for c in text if unicodedata.category(c) in ("Cc", "Cn", "Co", "Cs") and c not in "\n\r\t"
    )
    return odd / len(text) > 0.1


def clean(text: str, *, max_chars: int = MAX_CHARS) -> Cleaned:
    if _is_binary(text):
        return Cleaned(text="", truncated=False, binary=True)
    if looks_like_html(text):
        text = strip_html(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _cut_at(_QUOTED_REPLY, text, keep_if_empty=True)
    text = _cut_at(_SIGNATURE, text, keep_if_empty=True)
    text = _LINES.sub("\n\n", _SPACES.sub(" ", text)).strip()
    truncated = len(text) > max_chars
    return Cleaned(text=text[:max_chars], truncated=truncated, binary=False)
