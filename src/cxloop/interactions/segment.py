"""The Segment tracking spec, read into interactions.

Existing Segment and RudderStack libraries send here unchanged. Channel and journey stage come
from the event itself when it says so, else from the source's rules and defaults. Clock skew
is corrected the way Segment does it: ``occurred = received - (sentAt - timestamp)``.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime
from typing import Any

import orjson

from cxloop.customers import IdentityKey, IdentityKind, key
from cxloop.errors import CxloopError, ValidationFailed
from cxloop.interactions.models import Source
from cxloop.interactions.records import InteractionIn
from cxloop.interactions.timeparse import parse_time
from cxloop.privacy import decisions_from_context

CALLS = frozenset({"track", "identify", "page", "screen", "group", "alias"})
# Segment's context.channel speaks of the sender, not of the customer's channel.
CONTEXT_CHANNELS = {"browser": "web", "web": "web", "mobile": "app", "app": "app"}
CALL_CHANNELS = {"page": "web", "screen": "app"}
TEXT_PROPERTIES = ("text", "comment", "body")
_NAMESPACE = uuid.UUID("1b671a64-40d5-491e-99b0-da01ff1f3341")


def _object(message: dict[str, Any], name: str) -> dict[str, Any]:
    value = message.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{name} must be a JSON object", field=name)
    return value


def _string_id(message: dict[str, Any], name: str) -> str | None:
    value = message.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed(f"{name} must be a string", field=name)
    return str(value)


def _identities(
    message: dict[str, Any], traits: dict[str, Any], context: dict[str, Any]
) -> list[IdentityKey]:
    keys: list[IdentityKey] = []
    user_id = _string_id(message, "userId")
    anonymous_id = _string_id(message, "anonymousId")
    previous_id = _string_id(message, "previousId")
    if user_id is None and anonymous_id is None and previous_id is None:
        raise ValidationFailed("either userId or anonymousId is required", field="userId")
    if user_id is not None:
        keys.append(key(IdentityKind.user_id, user_id))
    for weak in (anonymous_id, previous_id):
        if weak is not None:
            keys.append(key(IdentityKind.anonymous_id, weak))
    for kind in (IdentityKind.email, IdentityKind.phone):
        raw = traits.get(kind.value)
        if isinstance(raw, str) and raw.strip():
            # A malformed trait stays a trait; it cannot identify anyone.
            with contextlib.suppress(CxloopError):
                keys.append(key(kind, raw))
    external = context.get("externalIds")
    if isinstance(external, list):
        for entry in external:
            if isinstance(entry, dict) and entry.get("id") and entry.get("type"):
                keys.append(key(IdentityKind.external, str(entry["id"]), str(entry["type"])))
    return keys


def _occurred_at(message: dict[str, Any], received_at: datetime) -> datetime:
    stamp = message.get("timestamp") or message.get("originalTimestamp")
    if stamp is None:
        return received_at
    occurred = parse_time(stamp, "timestamp")
    sent = message.get("sentAt")
    if sent is None:
        return occurred
    return received_at - (parse_time(sent, "sentAt") - occurred)


def _channel(call: str, properties: dict[str, Any], context: dict[str, Any], source: Source) -> str:
    explicit = properties.get("channel")
    if isinstance(explicit, str) and explicit:
        return explicit
    declared = context.get("channel")
    if isinstance(declared, str) and declared in CONTEXT_CHANNELS:
        return CONTEXT_CHANNELS[declared]
    return CALL_CHANNELS.get(call) or source.default_channel or "web"


def _stage(
    event: str, properties: dict[str, Any], context: dict[str, Any], source: Source
) -> str | None:
    for candidate in (
        properties.get("journey_stage"),
        properties.get("stage"),
        context.get("journey_stage"),
    ):
        if isinstance(candidate, str) and candidate:
            return candidate
    rule = source.stage_rules.get(event)
    return rule if isinstance(rule, str) else source.default_stage


def _text(properties: dict[str, Any]) -> str | None:
    for name in TEXT_PROPERTIES:
        value = properties.get(name)
        if value and isinstance(value, str):
            return value
    return None


def message_id_of(message: dict[str, Any], source_id: int) -> str:
    """The sender's messageId, or one derived from the content so a replay is still a replay."""
    given = message.get("messageId")
    if isinstance(given, str | int) and not isinstance(given, bool) and str(given):
        return str(given)
    canonical = orjson.dumps(message, option=orjson.OPT_SORT_KEYS).decode()
    return str(uuid.uuid5(_NAMESPACE, f"{source_id}:{canonical}"))


def read_message(
    message: Any, *, source: Source, received_at: datetime, call: str | None = None
) -> InteractionIn:
    """One Segment message as an interaction; raises ValidationFailed naming the field."""
    if not isinstance(message, dict):
        raise ValidationFailed("each event must be a JSON object", field="event")
    call = call or message.get("type")
    if call not in CALLS:
        raise ValidationFailed(f"type must be one of {', '.join(sorted(CALLS))}", field="type")
    context = _object(message, "context")
    properties = _object(message, "properties")
    traits = _object(message, "traits") if call in ("identify", "group") else {}
    context_traits = _object(context, "traits")
    profile_traits = {**context_traits, **traits} if call != "group" else dict(context_traits)
    if call == "track":
        event = message.get("event")
        if not isinstance(event, str) or not event.strip():
            raise ValidationFailed("a track call needs an 'event' name", field="event")
        kind = event.strip()
    else:
        name = message.get("name")
        event = name if isinstance(name, str) else call
        kind = call
        if call == "group":
            properties = {
                **properties,
                "group_id": _string_id(message, "groupId"),
                "traits": traits,
            }
        elif call == "identify" and not properties:
            properties = {"traits": traits} if traits else {}
        elif name and isinstance(name, str):
            properties = {**properties, "name": name}
    text = _text(properties)
    direction = properties.get("direction", "in")
    department = properties.get("department")
    agent = properties.get("agent")
    stored_properties = (
        properties if not context else {**properties, "context": _context_summary(context)}
    )
    return InteractionIn(
        message_id=message_id_of(message, source.id),
        type=kind[:200],
        channel=_channel(call, properties, context, source),
        stage=_stage(kind, properties, context, source),
        direction=direction if isinstance(direction, str) else "in",
        assisted=bool(properties.get("assisted", False)),
        agent=str(agent) if agent else None,
        department=str(department) if department else None,
        occurred_at=_occurred_at(message, received_at),
        received_at=received_at,
        text=text,
        properties=stored_properties,
        traits=profile_traits,
        identities=_identities(message, profile_traits, context),
        source_id=source.id,
        consents=decisions_from_context(context) if "consent" in context else {},
    )


SUMMARY_CONTEXT = (
    "library",
    "page",
    "app",
    "os",
    "device",
    "locale",
    "timezone",
    "campaign",
    "channel",
)


def _context_summary(context: dict[str, Any]) -> dict[str, Any]:
    """What of the context is worth keeping on the timeline (not the IP, not the traits)."""
    return {k: context[k] for k in SUMMARY_CONTEXT if k in context}
