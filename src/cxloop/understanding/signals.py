"""Words that must reach a person fast: a threat to leave, a lawyer, a safety hazard.

These are phrase lists, not a model: the cost of missing "I'm calling my lawyer" is high and
the phrases are few and stable, so a list a company can read beats a score it cannot. A
phrase preceded closely by a negation ("I'm not cancelling") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SIGNAL_PHRASES: dict[str, tuple[str, ...]] = {
    "churn_threat": (
        r"cancel+(?:ing|ed)? (?:my|our|the) (?:account|subscription|contract|plan|service|order)",
        r"clos(?:e|ing) (?:my|our) account",
        r"(?:switch|mov)(?:e|es|ing) to (?:another|a different|a new|\w+ instead)",
        r"tak(?:e|ing) (?:my|our) business elsewhere",
        r"(?:won't|will not|not going to) renew",
        r"port(?:ing)? my number",
        r"(?:i'?m|i am|we're|we are) (?:leaving|done with you|out)",
        r"never (?:buy|order|fly|use you) (?:from you |with you )?again",
        r"last time i (?:use|buy|order|fly)",
    ),
    "legal": (
        r"lawyers?",
        r"attorneys?",
        r"solicitors?",
        r"lawsuit",
        r"(?:sue|suing)\b",
        r"legal action",
        r"small claims",
        r"ombudsman",
        r"(?:report(?:ing)? you to|complain(?:t)? to) the (?:regulator|fca|ftc|bbb|authorities)",
        r"trading standards",
    ),
    "safety": (
        r"unsafe",
        r"dangerous",
        r"hazard(?:ous)?",
        r"injur(?:y|ies|ed)",
        r"(?:caught|on) fire",
        r"smok(?:e|ing) (?:from|coming)",
        r"electric(?:al)? shock",
        r"gas leak",
        r"burn(?:t|ed)? (?:my|his|her|our)",
        r"choking",
        r"poison(?:ed|ing)?",
        r"(?:ended up|went) (?:in|to) (?:the )?hospital",
    ),
    "urgent": (
        r"urgent(?:ly)?",
        r"asap",
        r"immediately",
        r"right now",
        r"emergency",
        r"as soon as possible",
    ),
}
_NEGATION = re.compile(r"\b(?:not|never|no|n't|won't|don't|wouldn't)\W+(?:\w+\W+){0,2}$", re.I)
_COMPILED = {
    name: re.compile(r"\b(?:" + "|".join(phrases) + r")", re.I)
    for name, phrases in SIGNAL_PHRASES.items()
}
HIGH = frozenset({"churn_threat", "legal", "safety"})


@dataclass(frozen=True)
class Signals:
    found: tuple[str, ...]
    urgency: str


def _present(pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        if not _NEGATION.search(text[max(0, match.start() - 40) : match.start()]):
            return True
    return False


def signals(text: str, *, negative: bool) -> Signals:
    """Signals found, and urgency: high on a threat/legal/safety word, medium when a negative
    text says it is urgent, low otherwise."""
    found = tuple(name for name, pattern in _COMPILED.items() if _present(pattern, text))
    if HIGH.intersection(found):
        urgency = "high"
    elif "urgent" in found and negative:
        urgency = "medium"
    else:
        urgency = "low"
    return Signals(found=found, urgency=urgency)
