"""Reading Segment messages: identities, channel, stage and clock-skew correction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cxloop.errors import ValidationFailed
from cxloop.interactions import Source, read_message

RECEIVED = datetime(2026, 5, 1, 12, 0, 10, tzinfo=UTC)


def source(**fields: object) -> Source:
    return Source(id=1, name="site", stage_rules=fields.pop("stage_rules", {}), **fields)


def read(message: dict, **fields: object):  # type: ignore[no-untyped-def]
    return read_message(message, source=source(**fields), received_at=RECEIVED)


def test_clock_skew_is_corrected_with_sent_at() -> None:
    # The device clock is 5 minutes fast: sentAt - timestamp is what really elapsed.
    record = read(
        {
            "type": "track",
            "event": "Order Completed",
            "userId": "u1",
            "timestamp": "2026-05-01T12:05:00Z",
            "sentAt": "2026-05-01T12:05:08Z",
        }
    )
    assert record.occurred_at == datetime(2026, 5, 1, 12, 0, 2, tzinfo=UTC)


def test_identify_brings_traits_and_email_and_phone_identities() -> None:
    record = read(
        {
            "type": "identify",
            "userId": "u1",
            "anonymousId": "a1",
            "traits": {"email": "Ann@Example.com", "phone": "+1 415 555 0100", "plan": "pro"},
        }
    )
    kinds = {(k.kind, k.value) for k in record.identities}
    assert kinds == {
        ("user_id", "u1"),
        ("anonymous_id", "a1"),
        ("email", "ann@example.com"),
        ("phone", "+14155550100"),
    }
    assert record.traits["plan"] == "pro"


def test_channel_comes_from_event_then_context_then_source() -> None:
    base = {"type": "track", "event": "Chat Started", "userId": "u"}
    assert read({**base, "properties": {"channel": "chat"}}).channel == "chat"
    assert read({**base, "context": {"channel": "mobile"}}).channel == "app"
    assert (
        read({**base, "context": {"channel": "server"}}, default_channel="store").channel == "store"
    )
    assert read({"type": "screen", "userId": "u", "name": "Home"}).channel == "app"


def test_stage_comes_from_event_then_source_rules_then_default() -> None:
    base = {"type": "track", "event": "Order Completed", "userId": "u"}
    assert read({**base, "properties": {"journey_stage": "purchase"}}).stage == "purchase"
    assert read(base, stage_rules={"Order Completed": "purchase"}).stage == "purchase"
    assert read(base, default_stage="usage").stage == "usage"


def test_text_is_taken_from_the_event() -> None:
    record = read(
        {"type": "track", "event": "Review Posted", "userId": "u", "properties": {"text": "Great!"}}
    )
    assert record.text == "Great!"


@pytest.mark.parametrize(
    ("message", "field"),
    [
        ({"type": "track", "event": "X"}, "userId"),
        ({"type": "track", "userId": "u"}, "event"),
        ({"type": "track", "event": "X", "userId": {"a": 1}}, "userId"),
        ({"type": "track", "event": "X", "userId": "u", "properties": [1]}, "properties"),
        ({"type": "track", "event": "X", "userId": "u", "timestamp": "yesterday"}, "timestamp"),
        ({"type": "shout", "userId": "u"}, "type"),
    ],
)
def test_malformed_messages_name_the_field(message: dict, field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        read(message)
    assert caught.value.extra["field"] == field


def test_missing_message_id_is_derived_from_content() -> None:
    message = {"type": "track", "event": "X", "userId": "u", "timestamp": "2026-05-01T12:00:00Z"}
    assert read(message).message_id == read(dict(message)).message_id
    assert read(message).message_id != read({**message, "event": "Y"}).message_id
