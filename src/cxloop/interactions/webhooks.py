"""Inbound webhooks: any JSON payload (a help desk's, a shop's) mapped to interactions by a
declarative mapping stored on the source, so an existing system plugs in without code.

A mapping holds JMESPath expressions::

    {
      "items": "tickets",                 # optional: where the list of items is; else one item
      "fields": {
        "message_id": "join('-', ['zd', to_string(id)])",
        "type": "'ticket_created'",       # a quoted literal
        "occurred_at": "created_at",
        "email": "requester.email",
        "text": "description",
        "channel": "via.channel",
        "properties": "{status: status, priority: priority}"
      },
      "values": {"channel": {"voice": "phone", "web": "web"}},   # optional value translations
      "defaults": {"channel": "email", "stage": "support"},       # used when a field is empty
      "external_system": "zendesk"        # namespace of external_id
    }
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jmespath
import orjson
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from cxloop.customers import IdentityKey, IdentityKind, key
from cxloop.errors import CxloopError, ValidationFailed
from cxloop.interactions.records import InteractionIn
from cxloop.interactions.timeparse import parse_time

IDENTITY_FIELDS = {
    "user_id": IdentityKind.user_id,
    "email": IdentityKind.email,
    "phone": IdentityKind.phone,
    "anonymous_id": IdentityKind.anonymous_id,
    "external_id": IdentityKind.external,
}
FIELDS = frozenset(
    {
        *IDENTITY_FIELDS,
        "message_id",
        "type",
        "occurred_at",
        "channel",
        "stage",
        "direction",
        "assisted",
        "agent",
        "department",
        "text",
        "properties",
        "traits",
    }
)
MAPPING_KEYS = frozenset({"items", "fields", "values", "defaults", "external_system"})
_NAMESPACE = uuid.UUID("6f1f6c3e-8a43-4b8e-9f0e-2f8d1c7a9b10")


@dataclass(frozen=True)
class CompiledMapping:
    items: ParsedResult | None
    fields: dict[str, ParsedResult]
    values: dict[str, dict[str, str]]
    defaults: dict[str, Any]
    external_system: str


def compile_mapping(mapping: dict[str, Any]) -> CompiledMapping:
    """Check a mapping once, when it is saved, so a typo is reported to whoever wrote it."""
    if not isinstance(mapping, dict):
        raise ValidationFailed("a mapping is a JSON object", field="mapping")
    unknown = set(mapping) - MAPPING_KEYS
    if unknown:
        raise ValidationFailed(
            f"unknown mapping keys: {', '.join(sorted(unknown))}", field="mapping"
        )
    fields = mapping.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise ValidationFailed("a mapping needs 'fields': {target: expression}", field="mapping")
    bad = set(fields) - FIELDS
    if bad:
        allowed = ", ".join(sorted(FIELDS))
        raise ValidationFailed(
            f"unknown target fields {sorted(bad)}; use {allowed}", field="mapping"
        )
    if not set(fields) & set(IDENTITY_FIELDS):
        raise ValidationFailed("a mapping must map at least one identity field", field="mapping")
    if "external_id" in fields and not mapping.get("external_system"):
        raise ValidationFailed("external_id needs 'external_system'", field="mapping")
    compiled: dict[str, ParsedResult] = {}
    for target, expression in fields.items():
        compiled[target] = _compile(expression, f"fields.{target}")
    items = mapping.get("items")
    return CompiledMapping(
        items=_compile(items, "items") if items else None,
        fields=compiled,
        values={k: dict(v) for k, v in (mapping.get("values") or {}).items()},
        defaults=dict(mapping.get("defaults") or {}),
        external_system=str(mapping.get("external_system") or ""),
    )


def _compile(expression: Any, where: str) -> ParsedResult:
    if not isinstance(expression, str) or not expression.strip():
        raise ValidationFailed(f"{where} must be a JMESPath expression", field="mapping")
    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise ValidationFailed(f"{where}: {exc}", field="mapping") from exc


def items_of(mapping: CompiledMapping, payload: Any) -> list[Any]:
    if mapping.items is None:
        return [payload]
    found = mapping.items.search(payload)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def map_item(
    mapping: CompiledMapping, item: Any, *, source_id: int, received_at: datetime
) -> InteractionIn:
    """One payload item as an interaction; raises ValidationFailed naming the field."""
    values: dict[str, Any] = {}
    for target, expression in mapping.fields.items():
        value = expression.search(item)
        if isinstance(value, str | int | float) and target in mapping.values:
            value = mapping.values[target].get(str(value), value)
        values[target] = value
    for target, default in mapping.defaults.items():
        if values.get(target) in (None, ""):
            values[target] = default
    identities: list[IdentityKey] = []
    for target, kind in IDENTITY_FIELDS.items():
        raw = values.get(target)
        if raw in (None, ""):
            continue
        namespace = mapping.external_system if kind is IdentityKind.external else ""
        identities.append(key(kind, str(raw), namespace))
    message_id = values.get("message_id")
    if message_id in (None, ""):
        canonical = orjson.dumps(item, option=orjson.OPT_SORT_KEYS)
        message_id = str(uuid.uuid5(_NAMESPACE, f"{source_id}:{canonical.decode()}"))
    occurred = values.get("occurred_at")
    text = values.get("text")
    return InteractionIn(
        message_id=str(message_id),
        type=str(values.get("type") or "webhook"),
        channel=str(values.get("channel") or "web"),
        stage=_optional_str(values.get("stage")),
        direction=str(values.get("direction") or "in"),
        assisted=bool(values.get("assisted") or False),
        agent=_optional_str(values.get("agent")),
        department=_optional_str(values.get("department")),
        occurred_at=parse_time(occurred, "occurred_at") if occurred else received_at,
        received_at=received_at,
        text=text if isinstance(text, str) and text else None,
        properties=_object(values.get("properties"), "properties"),
        traits=_object(values.get("traits"), "traits"),
        identities=identities,
        source_id=source_id,
    )


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed(f"{field} must map to a JSON object", field=field)
    return value


def map_payload(
    mapping: CompiledMapping, payload: Any, *, source_id: int, received_at: datetime
) -> list[InteractionIn | CxloopError]:
    """Every item of a payload, each mapped or the error that stopped it."""
    out: list[InteractionIn | CxloopError] = []
    for item in items_of(mapping, payload):
        try:
            out.append(map_item(mapping, item, source_id=source_id, received_at=received_at))
        except CxloopError as exc:
            out.append(exc)
    return out
