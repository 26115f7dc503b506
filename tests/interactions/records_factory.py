"""A factory for normalised interaction records, as every inbound path produces them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from cxloop.customers import IdentityKey
from cxloop.interactions import InteractionIn

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_seq = itertools.count(1)


def record(*identities: IdentityKey, **fields: Any) -> InteractionIn:
    n = next(_seq)
    fields.setdefault("message_id", f"msg-{n}")
    fields.setdefault("type", "Page Viewed")
    fields.setdefault("channel", "web")
    fields.setdefault("occurred_at", START + timedelta(minutes=n))
    fields.setdefault("received_at", START + timedelta(minutes=n, seconds=1))
    return InteractionIn(identities=list(identities), **fields)
