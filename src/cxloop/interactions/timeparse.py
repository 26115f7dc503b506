"""Parsing the times that inbound systems send: ISO 8601 strings or Unix epochs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cxloop.errors import ValidationFailed


def parse_time(value: Any, field: str) -> datetime:
    """An aware UTC datetime from ISO 8601 (naive means UTC) or epoch seconds/milliseconds."""
    if isinstance(value, bool):
        raise ValidationFailed(f"{field} must be an ISO 8601 time", field=field)
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise ValidationFailed(f"{field} is out of range", field=field) from exc
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be an ISO 8601 time", field=field)
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValidationFailed(
            f"{field} '{value[:40]}' is not an ISO 8601 time", field=field
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
