from __future__ import annotations

import itertools

import pytest

from cxloop.understanding.pii import find_pii, redact


def redacted(text: str) -> str:
    return redact(text, find_pii(text))


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("mail me at ann.lee+cx@example.co.uk today", "ann.lee+cx@example.co.uk", "EMAIL"),
        ("call +44 20 7183 8750 after six", "+44 20 7183 8750", "PHONE"),
        ("my number is (415) 555-0132", "(415) 555-0132", "PHONE"),
        ("card 4111 1111 1111 1111 was charged", "4111 1111 1111 1111", "CARD"),
        ("pay to GB82 WEST 1234 5698 7654 32 please", "GB82 WEST 1234 5698 7654 32", "IBAN"),
        ("my SSN is 123-45-6789", "123-45-6789", "NATIONAL_ID"),
        ("NI number AB 12 34 56 C", "AB 12 34 56 C", "NATIONAL_ID"),
        ("DNI 12345678Z", "12345678Z", "NATIONAL_ID"),
        ("Hello, my name is Ann Lee and I am upset", "Ann Lee", "PERSON"),
        ("please ask Mrs Okafor to call", "Okafor", "PERSON"),
        ("deliver to 221B Baker Street, London", "221B Baker Street", "ADDRESS"),
    ],
)
def test_personal_data_is_replaced_by_its_kind(text: str, secret: str, kind: str) -> None:
    out = redacted(text)
    assert secret not in out
    assert f"[{kind}]" in out


@pytest.mark.parametrize(
    "text",
    [
        "order 1234 5678 9012 3456 is late",  # fails Luhn: an order number, not a card
        "IBAN GB00 WEST 1234 5698 7654 32",  # wrong check digits
        "I am Furious about the delay",
        "flight 1234 was delayed 45 minutes",
    ],
)
def test_lookalikes_are_left_alone(text: str) -> None:
    assert redacted(text) == text


def test_spans_point_into_the_text_and_do_not_overlap() -> None:
    text = "ann@example.com, 4111111111111111, +1 415 555 0132"
    spans = find_pii(text)
    assert [s.kind for s in spans] == ["email", "card", "phone"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert text[spans[0].start : spans[0].end] == "ann@example.com"
