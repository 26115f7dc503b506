"""The one normalised shape every inbound path (Segment, webhook, API, import) produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cxloop.customers import IdentityKey
from cxloop.privacy import Purpose


@dataclass(slots=True)
class InteractionIn:
    """An interaction about to be stored, its customer still to be resolved from ``identities``.

    ``customer_id`` short-cuts resolution when the caller already knows the customer (an agent
    logging a call from the customer page). ``traits`` update the customer's profile.
    ``department`` is a department slug. ``consents`` are the customer's decisions the
    message carried (purpose -> granted), recorded with the interaction.
    """

    message_id: str
    type: str
    channel: str
    occurred_at: datetime
    received_at: datetime
    identities: list[IdentityKey] = field(default_factory=list)
    customer_id: int | None = None
    traits: dict[str, Any] = field(default_factory=dict)
    stage: str | None = None
    direction: str = "in"
    assisted: bool = False
    agent: str | None = None
    department: str | None = None
    text: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    source_id: int | None = None
    consents: dict[Purpose, bool] = field(default_factory=dict)


@dataclass(slots=True)
class Rejected:
    """A record that was not stored: its position in the request or file, and why."""

    index: int
    detail: str
    field: str | None = None


@dataclass(slots=True)
class StoreResult:
    stored: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    customer_ids: list[int | None] = field(default_factory=list)
    """Per input record: the customer it landed on (None when rejected or stored before)."""
