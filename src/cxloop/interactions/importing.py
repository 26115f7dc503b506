"""Import interactions from a file: each row becomes an :class:`InteractionIn`.

Rows go through :func:`store_interactions`, the one path every interaction takes, so a file
obeys the same rules as live ingest (channels, stages, identity resolution, idempotent
message ids). A file from another tool rarely has message ids, so a missing one is derived
from the row's content: importing the same file twice stores nothing the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from cxloop.customers import IDENTITY_TARGETS, identities_from_row
from cxloop.interactions.ingest import store_interactions
from cxloop.interactions.records import InteractionIn
from cxloop.store.tabular import (
    ErrorFile,
    FieldError,
    ImportSummary,
    Mapping,
    Refusals,
    Row,
    json_object,
    run_batches,
    scalar_text,
)
from cxloop.types import utcnow

INTERACTION_TARGETS = IDENTITY_TARGETS | {
    "message_id",
    "customer_id",
    "channel",
    "stage",
    "direction",
    "assisted",
    "agent",
    "department",
    "type",
    "occurred_at",
    "text",
    "properties",
    "traits",
}
DEFAULT_TYPE = "imported"
# Fixed forever: changing it would make re-imports of old files store their rows again.
MESSAGE_ID_NAMESPACE = uuid.UUID("7d0f5a63-3b4e-5c55-9a57-0c1e6f2f4b11")
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_DIRECTIONS = {
    "in": "in",
    "inbound": "in",
    "incoming": "in",
    "out": "out",
    "outbound": "out",
    "outgoing": "out",
}


def interaction_mapping(
    columns: dict[str, str] | None = None, defaults: dict[str, str] | None = None
) -> Mapping:
    return Mapping(INTERACTION_TARGETS, columns or {}, defaults or {})


def derived_message_id(values: dict[str, Any]) -> str:
    """A uuid5 of the row's content: the same row always gets the same id."""
    canonical = orjson.dumps(values, option=orjson.OPT_SORT_KEYS, default=str)
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, canonical.decode()))


def parse_time(value: Any, target: str = "occurred_at") -> datetime:
    """ISO 8601 text, a spreadsheet date, or Unix seconds; a time without a zone is UTC."""
    if value is None:
        raise FieldError(target, "is missing (ISO 8601, e.g. 2024-05-01T09:30:00Z)")
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)  # noqa: DTZ001 (made UTC below)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.fromtimestamp(value, UTC)
    else:
        text = str(value).strip()
        try:
            moment = (
                datetime.fromtimestamp(float(text), UTC)
                if text.replace(".", "", 1).isdigit()
                else datetime.fromisoformat(text)
            )
        except (ValueError, OverflowError) as exc:
            raise FieldError(target, f"'{text}' is not a date and time (use ISO 8601)") from exc
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_bool(value: Any, target: str) -> bool:
    if isinstance(value, bool):
        return value
    text = scalar_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(target, f"'{value}' is not true or false")


def _customer_id(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(scalar_text(value))
    except ValueError as exc:
        raise FieldError("customer_id", f"'{value}' is not a customer id (a number)") from exc


def _optional_text(mapping: Mapping, values: dict[str, Any], target: str) -> str | None:
    value = mapping.get(values, target)
    return None if value is None else scalar_text(value)


def record_from_row(
    values: dict[str, Any],
    mapping: Mapping,
    *,
    received_at: datetime,
    region: str | None = None,
) -> InteractionIn:
    """One file row as an interaction; a problem raises :class:`FieldError` naming the field."""
    identities = identities_from_row(values, mapping, region=region)
    customer_id = _customer_id(mapping.get(values, "customer_id"))
    if customer_id is None and not identities:
        raise FieldError(
            "customer_id",
            "the row names no customer (fill customer_id or an identity: user_id, email, "
            "phone, anonymous_id, external_id or social)",
        )
    channel = _optional_text(mapping, values, "channel")
    if channel is None:
        raise FieldError("channel", "is missing (e.g. email, phone, chat; or --default channel=…)")
    direction_text = (_optional_text(mapping, values, "direction") or "in").lower()
    direction = _DIRECTIONS.get(direction_text)
    if direction is None:
        raise FieldError("direction", f"'{direction_text}' is not in or out")
    agent = _optional_text(mapping, values, "agent")
    department = _optional_text(mapping, values, "department")
    assisted_value = mapping.get(values, "assisted")
    assisted = (
        parse_bool(assisted_value, "assisted")
        if assisted_value is not None
        else bool(agent or department)
    )
    stage = _optional_text(mapping, values, "stage")
    text = mapping.get(values, "text")
    return InteractionIn(
        message_id=_optional_text(mapping, values, "message_id") or derived_message_id(values),
        type=_optional_text(mapping, values, "type") or DEFAULT_TYPE,
        channel=channel.lower(),
        occurred_at=parse_time(mapping.get(values, "occurred_at")),
        received_at=received_at,
        identities=identities,
        customer_id=customer_id,
        traits=json_object(mapping.get(values, "traits"), "traits")
        | mapping.prefixed(values, "traits"),
        stage=stage.lower() if stage else None,
        direction=direction,
        assisted=assisted,
        agent=agent,
        department=department.lower() if department else None,
        text=None if text is None else str(text),
        properties=json_object(mapping.get(values, "properties"), "properties")
        | mapping.prefixed(values, "properties"),
    )


def _store_records(session: Session, records: list[InteractionIn]) -> tuple[int, int, Refusals]:
    result = store_interactions(session, records)
    refused: Refusals = [(r.index, r.field, r.detail) for r in result.rejected]
    return result.stored, result.duplicates, refused


def import_interactions(
    bind: Engine | Connection,
    rows: Iterable[Row],
    *,
    mapping: Mapping,
    errors: ErrorFile,
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
    phone_region: str | None = None,
) -> ImportSummary:
    """Store every valid row (one committed unit of work per batch); list the rest in
    ``errors`` with their row number, field and reason."""
    received_at = utcnow()
    return run_batches(
        bind,
        rows,
        convert=lambda values: record_from_row(
            values, mapping, received_at=received_at, region=phone_region
        ),
        store=_store_records,
        errors=errors,
        batch_size=batch_size,
        progress=progress,
    )
