from __future__ import annotations

from cxloop.understanding.cleaning import clean

HTML_EMAIL = """<html><body><div>My bill is wrong&nbsp;again.</div><p>Please fix it.</p>
<style>p {color: red}</style>
<div>Best regards,</div><div>Ann</div>
<div>On Mon, 3 Feb 2025, Support &lt;help@example.com&gt; wrote:</div>
<blockquote>&gt; Thanks for contacting us</blockquote></body></html>"""


def test_html_email_keeps_only_the_customer_words() -> None:
    cleaned = clean(HTML_EMAIL)
    assert "My bill is wrong again." in cleaned.text
    assert "Please fix it." in cleaned.text
    for gone in ("color", "Thanks for contacting us", "wrote", "Best regards", "<"):
        assert gone not in cleaned.text


def test_plain_reply_is_cut_at_the_quote_header() -> None:
    text = (
        "Still not working.\n\nOn Tue, Jan 7, 2025 at 9:00 AM Acme <a@acme.com> wrote:\n> Try again"
    )
    assert clean(text).text == "Still not working."


def test_long_text_is_capped_and_says_so() -> None:
    cleaned = clean("word " * 5000, max_chars=1000)
    assert cleaned.truncated and len(cleaned.text) == 1000


def test_binary_is_recognised() -> None:
    cleaned = clean("\x00\x01\x02\x03PK\x04\x05\x06\x07" * 20)
    assert cleaned.binary and cleaned.text == ""


def test_a_text_that_is_only_a_signature_is_kept() -> None:
    assert clean("Thanks,").text == "Thanks,"
