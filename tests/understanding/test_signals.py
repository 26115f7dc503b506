from __future__ import annotations

import pytest

from cxloop.understanding.signals import signals


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Fix this or I'm cancelling my subscription", "churn_threat"),
        ("I will be switching to another provider", "churn_threat"),
        ("My lawyer will hear about this", "legal"),
        ("The charger is unsafe, it caught fire", "safety"),
        ("I need this fixed urgently", "urgent"),
    ],
)
def test_signals_are_found(text: str, signal: str) -> None:
    assert signal in signals(text, negative=True).found


def test_threats_are_urgent_and_negated_phrases_are_not_threats() -> None:
    assert signals("I'm calling my lawyer", negative=False).urgency == "high"
    calm = signals("I'm not cancelling my subscription, just asking", negative=False)
    assert "churn_threat" not in calm.found
    assert calm.urgency == "low"


def test_urgent_words_raise_urgency_only_for_unhappy_texts() -> None:
    assert signals("Please reply asap, this is broken", negative=True).urgency == "medium"
    assert signals("Send me the brochure asap, thanks!", negative=False).urgency == "low"
